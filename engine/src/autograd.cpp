// Recording the graph. Walking it backwards and gradcheck are lesson 02's exercises.
#include "bg/autograd.h"

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

}  // namespace bg
