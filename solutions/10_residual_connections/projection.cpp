// Lesson 10, exercise 2: the attention output projection W^O.
#include "bg/blocks.h"

namespace bg {

Tensor ProjectedAttention::forward(const Tensor& x, std::vector<Tensor>* weights) const {
  const Tensor heads_out =
      MultiHeadAttention::forward(x, weights);  // (B, T, C), heads side by side
  return drop(proj(heads_out));                 // (B, T, C), heads mixed
}

}  // namespace bg
