// Lesson 02 — autograd: topological order, the backward pass, gradient accumulation,
// no-grad mode and the finite-difference gradient checker.
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

// ---- exercise 1: parents before children, without recursion
std::vector<Node*> topological_order(Node& root) {
  std::vector<Node*> order;
  std::unordered_set<Node*> visited;
  // Depth-first search with an explicit stack of (node, index of the next parent to visit).
  std::vector<std::pair<Node*, size_t>> stack;
  stack.emplace_back(&root, 0);
  visited.insert(&root);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->parents.size()) {
      Node* parent = &node->parents[next++].node();
      if (visited.insert(parent).second) stack.emplace_back(parent, 0);
    } else {
      order.push_back(node);  // every parent is already in `order`
      stack.pop_back();
    }
  }
  return order;
}

// ---- exercise 2: accumulation
std::span<float> grad_buffer(Node& node) {
  if (node.grad.empty()) node.grad = take_zeros(node.data.size());  // a recycled buffer
  if (node.grad.size() != node.data.size()) {
    throw Error(std::string("gradient of ") + node.op + " has " + std::to_string(node.grad.size()) +
                " values for shape " + shape_str(node.shape));
  }
  return node.grad;
}

// ---- exercise 3: no-grad mode
NoGradGuard::NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
NoGradGuard::~NoGradGuard() { set_grad_enabled(previous_); }

// ---- exercise 4: the backward pass
void run_backward(Node& root, const Tensor& gradient) {
  if (!root.requires_grad) {
    throw Error("backward(): the tensor does not require grad (made by " + std::string(root.op) +
                "); nothing to differentiate");
  }
  if (gradient.shape() != root.shape) {
    throw Error("backward(): gradient of shape " + shape_str(gradient.shape()) +
                " for a tensor of shape " + shape_str(root.shape));
  }
  const std::vector<Node*> order = topological_order(root);
  for (Node* n : order) {
    if (n->graph_freed) {
      throw Error(std::string("backward() through a graph that was already freed (at ") + n->op +
                  "): run the forward pass again");
    }
  }
  std::span<float> g = grad_buffer(root);
  const auto given = gradient.data();
  for (size_t i = 0; i < g.size(); ++i) g[i] += given[i];
  // Freeing the graph as we go must not destroy a node that is still ahead of us in `order`
  // (it holds raw pointers). So the handles a node's consumers release wait in holders[i],
  // i its place in the order, until its own backward has run; then they are dropped, and a
  // node nobody else holds dies at once, its data and gradient back to the buffer cache.
  // (Keeping them all until the end would hold every activation and every gradient of the
  // step at the same time: twice the memory at the peak.)
  std::unordered_map<const Node*, size_t> place;
  place.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) place.emplace(order[i], i);
  std::vector<std::vector<Tensor>> holders(order.size());
  NoGradGuard no_grad;  // backward functions compute with ops; record none of it
  for (size_t i = order.size(); i-- > 0;) {
    Node* n = order[i];
    if (n->backward_fn) {
      if (n->grad.size() != n->data.size()) grad_buffer(*n);  // no gradient reached it: zeros
      n->backward_fn(*n);
      // Free this node's part of the graph.
      n->backward_fn = nullptr;
      for (Tensor& p : n->parents) holders[place[&p.node()]].push_back(std::move(p));
      n->parents.clear();
      n->graph_freed = true;
    }
    holders[i].clear();  // n is behind us now: it may go
  }
}

// ---- exercise 5: gradcheck
namespace {

std::string index_str(const Shape& shape, int64_t flat) {
  Shape idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_str(idx);
}

std::string num_str(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

GradcheckResult gradcheck(const std::string& name, const GradcheckFn& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  GradcheckResult result;
  // Fresh leaves, so the check never touches the caller's gradients.
  std::vector<Tensor> xs;
  for (const Tensor& in : inputs) {
    xs.emplace_back(in.tolist(), in.shape(), in.requires_grad());
  }
  const Tensor out0 = f(xs);
  Generator gen(options.seed);
  const Tensor w = rand(out0.shape(), gen) * 2.0f - 1.0f;

  // L = sum(f(x) * w), in double, without recording a graph.
  auto loss = [&]() {
    NoGradGuard no_grad;
    const Tensor out = f(xs);
    double total = 0.0;
    for (int64_t i = 0; i < out.numel(); ++i) {
      total += static_cast<double>(out.data()[static_cast<size_t>(i)]) *
               w.data()[static_cast<size_t>(i)];
    }
    return total;
  };

  out0.backward(w);
  for (size_t a = 0; a < xs.size(); ++a) {
    if (!xs[a].requires_grad()) continue;
    const Tensor analytic = xs[a].grad();
    for (int64_t i = 0; i < xs[a].numel(); ++i) {
      float& x = xs[a].data()[static_cast<size_t>(i)];
      const float saved = x;
      const auto hi = static_cast<float>(saved + options.eps);
      const auto lo = static_cast<float>(saved - options.eps);
      x = hi;
      const double plus = loss();
      x = lo;
      const double minus = loss();
      x = saved;
      // Divide by the step float really took, not by 2·eps.
      const double numeric = (plus - minus) / (static_cast<double>(hi) - lo);
      const double got = analytic.defined() ? analytic.data()[static_cast<size_t>(i)] : 0.0;
      const double err = std::abs(got - numeric);
      result.max_abs_error = std::max(result.max_abs_error, err);
      if (result.ok && !(err <= options.atol + options.rtol * std::abs(numeric))) {
        result.ok = false;
        result.message = "gradcheck " + name + ": input " + std::to_string(a) + ", index " +
                         std::to_string(i) + " " + index_str(xs[a].shape(), i) + ": analytic " +
                         num_str(got) + " vs numeric " + num_str(numeric);
      }
    }
  }
  return result;
}

}  // namespace bg
