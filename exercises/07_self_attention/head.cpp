// Lesson 07, exercise 3: one head of causal self-attention. Read
// lessons/07_self_attention/README.md#exercise-3, then replace the stub's body.
#include "bg/attention.h"
#include "bg/error.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

// Head::forward(x, weights): x (B, T, C) -> (B, T, head_size), one head of causal
// self-attention (README §2–§4 and §6). Build it from ops you already have: no new backward
// is needed.
// - Errors (bg::Error), each message showing x's shape: x is not 3-D; x.size(2) is not
//   n_embed_ (also show n_embed_); x.size(1) > block_size_ (also say "block_size <n>").
// - Available: the members key, query, value (Linear(C, hs) each) and drop (the dropout,
//   the identity until lesson 12); matmul and transpose (lesson 04), softmax and causal_mask
//   (exercises 1 and 2), mul by a float (lesson 03).
// - Shapes: the queries, keys and values are (B, T, hs) each; the attention weights are
//   (B, T, T), row t a distribution over the positions <= t; the output is (B, T, hs).
// - The weights pass through drop before they are used; if weights != nullptr, store them
//   (after drop) in *weights.
Tensor Head::forward([[maybe_unused]] const Tensor& x, [[maybe_unused]] Tensor* weights) const {
  bg::not_implemented(7, 3, "Head::forward");
}

}  // namespace bg
