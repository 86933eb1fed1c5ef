// Lesson 07, exercise 3: one head of causal self-attention. Read
// lessons/07_self_attention/README.md#exercise-3, then replace the stub's body.
#include "bg/attention.h"
#include "bg/error.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

// Head::forward(x, weights): x (B, T, C) -> (B, T, head_size). Build it from ops you have
// (no new backward needed):
//
// - Throw bg::Error showing x's shape unless x is 3-D, x.size(2) == n_embed_ and
//   x.size(1) <= block_size_.
// - k = key(x), q = query(x), v = value(x)                      each (B, T, hs)
// - wei = q · kᵀ * (1 / sqrt(head_size_))   — matmul, transpose(k, -2, -1), mul by a float
// - wei = softmax(causal_mask(wei), -1)                         (B, T, T)
// - wei = drop(wei)      the identity for now: dropout arrives in lesson 12 (v10)
// - if weights != nullptr, store wei there
// - return wei · v                                              (B, T, hs)
Tensor Head::forward([[maybe_unused]] const Tensor& x, [[maybe_unused]] Tensor* weights) const {
  bg::not_implemented(7, 3, "Head::forward");
}

}  // namespace bg
