// Lesson 03, exercise 4: add, sub, mul, div of two tensors, with broadcasting and backward.
// Read lessons/03_operations/README.md#exercise-4. You may add helpers in an anonymous
// namespace above the functions.
//
// The pattern of every op (see engine/src/ops.cpp for worked examples):
//   1. forward: the values, through broadcast_binary_forward (exercise 3);
//   2. return make_result(values, shape, {a, b}, backward_fn, "name");
//   3. backward_fn(const Node& o): o.grad is dL/d(out) (shape o.shape), o.parents[0] is a,
//      o.parents[1] is b, o.data holds out's values. For each input that requires_grad():
//      compute dL/d(input) at OUT's shape, then sum_to_shape (exercise 2) it into
//      grad_buffer(input.node()) — that reduces the broadcast dimensions AND adds (+=).
//      Capture nothing but what you need (never the result Tensor).
//
// Tools: Tensor(o.grad, o.shape) makes a tensor of the upstream gradient g;
// broadcast_binary_forward(g, b, BinaryOp::mul) multiplies it by b (broadcast); neg(t) is
// -t. Backward runs with gradient recording off, so these build no graph.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// out = a + b.      dL/da = g,   dL/db = g      (each then summed to its input's shape)
Tensor add([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "add");
}

// out = a - b.      dL/da = g,   dL/db = -g
Tensor sub([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "sub");
}

// out = a * b.      dL/da = g * b,   dL/db = g * a
Tensor mul([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "mul");
}

// out = a / b.      dL/da = g / b,   dL/db = -g * a / b²  (= -g * out / b)
Tensor div([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "div");
}

}  // namespace bg
