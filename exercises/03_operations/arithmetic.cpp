// Lesson 03, exercise 4: add, sub, mul, div of two tensors, with broadcasting and backward.
// Read lessons/03_operations/README.md#exercise-4. You may add helpers in an anonymous
// namespace above the functions.
//
// The contract of every op here:
//   * forward: the values of broadcast_binary_forward (exercise 3), shape
//     broadcast_shapes(a, b) (a bg::Error showing both shapes when they do not broadcast);
//   * the result records a graph through make_result (bg/autograd.h; engine/src/ops.cpp has
//     worked examples), named "add", "sub", "mul", "div";
//   * backward: for each input that requires_grad(), ADD dL/d(input), at that input's own
//     shape, into its grad buffer; skip the others. README section 3 explains why the
//     gradient of a broadcast input is a sum, section 4 gives each op's derivatives.
//   * the backward function captures only what it needs, never the result Tensor (a cycle).
//
// Available: sum_to_shape (exercise 2); Tensor(o.grad, o.shape) wraps the upstream gradient
// g; broadcast_binary_forward for elementwise products and quotients; neg(t) is -t. Inside
// a backward function gradient recording is off, so these build no graph.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// out = a + b.
Tensor add([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "add");
}

// out = a - b.
Tensor sub([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "sub");
}

// out = a * b (elementwise). A tensor used on both sides (x * x) gets both contributions.
Tensor mul([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "mul");
}

// out = a / b (elementwise).
Tensor div([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(3, 4, "div");
}

}  // namespace bg
