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
// The backward of broadcasting. A tensor of shape `to` was broadcast to shape `from`; `grad`
// (numel(from) values, row-major) is the gradient with respect to the broadcast copy. Every
// element of the small tensor was read by several positions of the big one, so its gradient
// is the SUM of the gradients of all those positions.
//   from (2, 3), to (3):    out[j] += grad[0][j] + grad[1][j]
//   from (2, 3), to (2, 1): out[i] += grad[i][0] + grad[i][1] + grad[i][2]
//   from (2, 3), to ():     out[0] += every element
// ADD into `out` (numel(to) values); never overwrite: the caller passes a gradient buffer
// that may already hold gradient from another use of the same tensor.
// Throw bg::Error showing both shapes when `to` does not broadcast to `from` (more dims than
// `from`, or a size that is neither equal nor 1 — e.g. (2) does not broadcast to (2, 3)).
//
// Hint: walk the elements of `grad` in order with a multi-index over `from` (an odometer:
// increment the last digit; when it reaches its size, reset it and carry into the one
// before). Keep in step the position in `out` that the multi-index maps to, using strides
// for `to` padded to from's length, with stride 0 along every stretched dimension.
// (Write it yourself once; bg/shape.h has the engine's copy — broadcast_strides and
// for_each_broadcast_row, README section 2 — which you may use in the later exercises.)
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
// Return a plain tensor: Tensor(std::move(values), shape). No graph here — add/sub/mul/div
// (exercise 4) wrap the values with make_result.
//
// Hint: the same odometer as in exercise 2, now with two positions (one in a, one in b),
// each moved by its own strides, stride 0 along the dimensions it is stretched in
// (for_each_broadcast_row in bg/shape.h turns it for you, if you like).
// Speed: switch on `op` once, outside the loop, not once per element.
Tensor broadcast_binary_forward([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b,
                                [[maybe_unused]] BinaryOp op) {
  bg::not_implemented(3, 3, "broadcast_binary_forward");
}

}  // namespace bg
