// Lesson 04, exercise 1: transpose two dimensions (copying into the new order).
// Read lessons/04_linear_layers/README.md#exercise-1, then replace the stub's body.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/linalg.h"

namespace bg {

// transpose(a, d0, d1): a new contiguous tensor whose dims d0 and d1 are swapped.
//
//   out.shape = a.shape with entries d0 and d1 exchanged
//   out[..., j (at d0), ..., i (at d1), ...] = a[..., i (at d0), ..., j (at d1), ...]
//
// Contract (the tests check each point):
//   * negative dims count from the end; a dim out of range is a bg::Error showing the dim
//     and the shape (normalize_dim in bg/shape.h throws it for you);
//   * d0 == d1 is allowed: the result is a copy of a;
//   * the result records a graph through make_result, named "transpose"; its backward ADDS
//     the gradient of a into grad_buffer of a (+=, never =).
// README section 3 explains how strides (lesson 01) let you copy without a division per
// element, and what the backward of a pure rearrangement is. The backward lambda may capture
// the dims; it gets the output's shape from out.shape. Helpers go in an anonymous namespace.
Tensor transpose([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim0,
                 [[maybe_unused]] int64_t dim1) {
  bg::not_implemented(4, 1, "transpose");
}

}  // namespace bg
