// Lesson 03, exercises 1–3: broadcasting. Read lessons/03_operations/README.md, then replace
// each stub's body. You may add helpers above the functions — put them in an anonymous
// namespace (`namespace { ... }`) so they stay private to this file.
//
// Useful from bg/shape.h: numel(shape), contiguous_strides(shape), shape_str(shape) (for
// error messages), and bg::Error from bg/error.h.
#include <algorithm>

#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// ---- Exercise 1: broadcast_shapes ----------------------------------------------------------
// The shape of `a ∘ b` under NumPy/PyTorch broadcasting.
//   1. Line the shapes up at their LAST dimension; pad the shorter one on the left with 1s:
//        (2, 3) and (3)  ->  (2, 3) and (1, 3)
//   2. In each dimension the two sizes must be equal, or one of them must be 1.
//   3. The result takes the larger size (a 1 is "stretched").
//        (2, 1) and (1, 3) -> (2, 3);   () and (4, 5) -> (4, 5);   (0, 3) and (1, 3) -> (0, 3)
// Otherwise throw bg::Error whose message shows BOTH shapes, e.g.
//   "shapes [2, 3] and [4] cannot be broadcast ..." (use shape_str).
Shape broadcast_shapes([[maybe_unused]] const Shape& a, [[maybe_unused]] const Shape& b) {
  bg::not_implemented(3, 1, "broadcast_shapes");
}

// ---- Exercise 2: sum_to_shape --------------------------------------------------------------
// The backward of broadcasting (README section 3). A tensor of shape `to` was broadcast to
// shape `from`; `grad` (numel(from) values, row-major) is the gradient with respect to the
// broadcast copy. ADD into `out` (numel(to) values, row-major) the gradient with respect to
// the small tensor. With grad = [[1, 2, 3], [4, 5, 6]], from (2, 3), and out all zeros:
//   to (3) -> out = [5, 7, 9];   to (2, 1) -> out = [6, 15];   to () -> out = [21]
// ADD, never overwrite: the caller passes a gradient buffer that may already hold gradient
// from another use of the same tensor.
// Throw bg::Error showing both shapes when `to` does not broadcast to `from` (more dims than
// `from`, or a size that is neither equal nor 1 — e.g. (2) does not broadcast to (2, 3)).
// README section 2 explains how one loop can read a tensor as if it were broadcast; write
// that walk yourself here, once. (bg/shape.h has the engine's copy — broadcast_strides and
// for_each_broadcast_row — which you may use in the later exercises.)
void sum_to_shape([[maybe_unused]] std::span<const float> grad, [[maybe_unused]] const Shape& from,
                  [[maybe_unused]] const Shape& to, [[maybe_unused]] std::span<float> out) {
  bg::not_implemented(3, 2, "sum_to_shape");
}

// ---- Exercise 3: broadcast_binary_forward --------------------------------------------------
// The forward loop shared by add, sub, mul and div. The result has shape
// broadcast_shapes(a.shape(), b.shape()) (let that throw on bad shapes); element i of the
// result is op(a[i_a], b[i_b]), where i_a and i_b are the elements of a and b that
// position i reads after broadcasting.
//   (2, 3) + (3):      out[i][j] = a[i][j] + b[j]
//   (2, 1) * (1, 3):   out[i][j] = a[i][0] * b[0][j]      (an outer product)
// Return a plain tensor that records no graph: add/sub/mul/div (exercise 4) wrap the values
// with make_result.
//
// README section 2 explains the walk; for_each_broadcast_row (bg/shape.h) may do the walk for you.
// Speed: README exercise 3 says how to keep the loop free of a branch per element.
Tensor broadcast_binary_forward([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b,
                                [[maybe_unused]] BinaryOp op) {
  bg::not_implemented(3, 3, "broadcast_binary_forward");
}

}  // namespace bg
