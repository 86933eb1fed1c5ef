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
// Steps:
//   1. Turn negative dims into 0..ndim-1 with normalize_dim (it also throws the bg::Error
//      for a dim out of range). d0 == d1 is allowed: the result is a copy.
//   2. Forward: walk the OUTPUT in row-major order and read each value from the input.
//      A neat way: take the input's contiguous_strides, swap strides d0 and d1 — now
//      entry d of that array is how far to move in the input when output index d grows
//      by one. Keep a running source offset and an odometer of output indices instead of
//      recomputing flat_index for every element.
//   3. Backward: a transpose is a permutation of the elements, and swapping the same two
//      dims again undoes it. So the gradient of the input is the output's gradient
//      transposed back — ADD it into grad_buffer of the input (+=, never =).
//      Write one helper that copies-with-permutation and takes a flag "add or assign";
//      use it in both directions (keep the helper in an anonymous namespace).
//   4. make_result(values, shape, {a}, backward_fn, "transpose"). The backward lambda may
//      capture d0 and d1; it gets the output's shape from out.shape.
Tensor transpose([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim0,
                 [[maybe_unused]] int64_t dim1) {
  bg::not_implemented(4, 1, "transpose");
}

}  // namespace bg
