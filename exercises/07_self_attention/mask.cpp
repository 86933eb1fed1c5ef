// Lesson 07, exercise 2: masking. Read lessons/07_self_attention/README.md#exercise-2,
// then replace the stubs' bodies.
#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"

namespace bg {

// masked_fill(x, mask, value): a copy of x with `value` wherever the (broadcast) mask is
// nonzero.
//
// - mask must broadcast to x's shape WITHOUT changing it: at most x.dim() dims, and aligned
//   at the last dim each mask size equals x's or is 1. Otherwise throw bg::Error showing both
//   shapes (shape_str). broadcasts_to(mask.shape(), x.shape()) (bg/shape.h) checks exactly this.
// - For each element of x, find the mask element it reads (the broadcast index: padded
//   mask shape, strides of 0 where the mask has size 1 — like lesson 03's forward loop).
//   bg/shape.h has that walk: broadcast_strides and for_each_broadcast_row.
// - Remember which elements you filled (a std::vector<uint8_t> captured by the backward).
// - Backward: dx += g where the element was NOT filled; filled elements get no gradient
//   (their value no longer depends on x). The mask gets no gradient.
Tensor masked_fill([[maybe_unused]] const Tensor& x, [[maybe_unused]] const Tensor& mask,
                   [[maybe_unused]] float value) {
  bg::not_implemented(7, 2, "masked_fill");
}

// causal_mask(scores): scores (..., T, T); row t is query position t, column j key position
// j. Set every entry with j > t (strictly above the diagonal: the future) to
// -std::numeric_limits<float>::infinity(); keep the diagonal (a token may attend to itself)
// and everything below.
//
// - Throw bg::Error showing the shape unless scores has >= 2 dims and the last two are equal.
// - Loop over the (numel / (T*T)) matrices, then rows t, then columns j.
// - Backward: dx += g on and below the diagonal, nothing above.
Tensor causal_mask([[maybe_unused]] const Tensor& scores) {
  bg::not_implemented(7, 2, "causal_mask");
}

}  // namespace bg
