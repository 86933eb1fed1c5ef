// Recording the graph, and printing it. Walking it backwards and gradcheck are lesson 02's
// exercises.
#include "bg/autograd.h"

#include <cstdio>
#include <ostream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "bg/error.h"

namespace bg {

namespace {
thread_local bool g_grad_enabled = true;
}  // namespace

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool on) { g_grad_enabled = on; }

Tensor make_result(std::vector<float> data, Shape shape, std::vector<Tensor> inputs,
                   BackwardFn backward, const char* op) {
  if (static_cast<int64_t>(data.size()) != numel(shape)) {
    throw Error(std::string(op) + ": internal error, " + std::to_string(data.size()) +
                " values for shape " + shape_str(shape));
  }
  auto node = std::make_shared<Node>();
  node->data = std::move(data);
  node->shape = std::move(shape);
  node->op = op;
  bool needs_grad = false;
  if (grad_enabled()) {
    for (const Tensor& in : inputs) needs_grad = needs_grad || in.requires_grad();
  }
  if (needs_grad) {
    node->requires_grad = true;
    node->parents = std::move(inputs);
    node->backward_fn = std::move(backward);
  }
  return Tensor(std::move(node));
}

namespace {

// "[0.5, -1, 2, 3, ...]": the first kShown values with 4 significant digits.
constexpr size_t kShown = 4;
void put_values(std::ostream& os, const std::vector<float>& values) {
  os << '[';
  for (size_t i = 0; i < values.size() && i < kShown; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", static_cast<double>(values[i]));
    if (i > 0) os << ", ";
    os << buf;
  }
  if (values.size() > kShown) os << ", ...";
  os << ']';
}

}  // namespace

void dump_graph(std::ostream& os, const Tensor& root, const TensorNames& names) {
  if (!root.defined()) {
    os << "undefined tensor\n";
    return;
  }
  // Post-order depth-first search with an explicit stack of (node, next parent to visit):
  // a node gets its index once all its parents have one.
  std::vector<const Node*> order;
  std::unordered_map<const Node*, size_t> index;  // node -> its line (once it has one)
  std::unordered_set<const Node*> seen{&root.node()};
  std::vector<std::pair<const Node*, size_t>> stack{{&root.node(), 0}};
  while (!stack.empty()) {
    const Node* n = stack.back().first;
    const size_t i = stack.back().second;
    if (i < n->parents.size()) {
      ++stack.back().second;  // before the push below may reallocate the stack
      const Tensor& p = n->parents[i];
      if (p.defined() && seen.insert(&p.node()).second) {
        stack.emplace_back(&p.node(), 0);
      }
    } else {
      index[n] = order.size();
      order.push_back(n);
      stack.pop_back();
    }
  }
  std::unordered_map<const Node*, const std::string*> name_of;
  for (const auto& [name, t] : names) {
    if (t.defined()) name_of.emplace(&t.node(), &name);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    const Node& n = *order[k];
    os << k << ": " << n.op;
    if (n.graph_freed) {
      os << "(graph freed)";
    } else if (!n.parents.empty()) {
      os << '(';
      for (size_t i = 0; i < n.parents.size(); ++i) {
        if (i > 0) os << ", ";
        const Tensor& p = n.parents[i];
        if (p.defined()) {
          os << index.at(&p.node());
        } else {
          os << '?';
        }
      }
      os << ')';
    }
    if (auto it = name_of.find(&n); it != name_of.end()) os << " \"" << *it->second << '"';
    os << ' ' << shape_str(n.shape) << " requires_grad=" << (n.requires_grad ? "true" : "false")
       << " data=";
    put_values(os, n.data);
    if (!n.grad.empty()) {
      os << " grad=";
      put_values(os, n.grad);
    }
    os << '\n';
  }
}

std::string dump_graph(const Tensor& root, const TensorNames& names) {
  std::ostringstream os;
  dump_graph(os, root, names);
  return os.str();
}

}  // namespace bg
