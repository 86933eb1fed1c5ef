// Lesson 10, exercise 2: the attention output projection W^O. Read
// lessons/10_residual_connections/README.md#exercise-2, then replace the stub's body.
#include "bg/blocks.h"
#include "bg/error.h"

namespace bg {

// ProjectedAttention::forward(x, weights): x (B, T, C) -> (B, T, C), W^O after the heads
// (README §3).
// - Available: the base class's forward, MultiHeadAttention::forward(x, weights) — the heads
//   concatenated, (B, T, C), and it fills `weights` with each head's attention weights — and
//   the members proj (Linear(C, C) with bias) and drop (the dropout, identity unless p > 0).
// - The dropout comes last, after the projection (the tests check where it sits).
// - A wrong x is rejected by the heads: bg::Error showing its shape.
Tensor ProjectedAttention::forward([[maybe_unused]] const Tensor& x,
                                   [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(10, 2, "ProjectedAttention::forward");
}

}  // namespace bg
