// Lesson 10, exercise 2: the attention output projection W^O. Read
// lessons/10_residual_connections/README.md#exercise-2, then replace the stub's body.
#include "bg/error.h"
#include "bg/gpt.h"

namespace bg {

// ProjectedAttention::forward(x, weights): x (B, T, C) -> (B, T, C).
// - h = MultiHeadAttention::forward(x, weights)   the heads, concatenated (lesson 08)
// - return drop(proj(h))                          W^O mixes what the heads found
Tensor ProjectedAttention::forward([[maybe_unused]] const Tensor& x,
                                   [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(10, 2, "ProjectedAttention::forward");
}

}  // namespace bg
