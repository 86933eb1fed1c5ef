// Lesson 07, exercise 3: one head of causal self-attention.
#include <cmath>
#include <string>

#include "bg/attention.h"
#include "bg/error.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

Tensor Head::forward(const Tensor& x, Tensor* weights) const {
  if (x.dim() != 3 || x.size(2) != n_embed_ || x.size(1) > block_size_) {
    throw Error("Head: input must be (B, T, " + std::to_string(n_embed_) +
                ") with T <= block_size " + std::to_string(block_size_) + ", got shape " +
                shape_str(x.shape()));
  }
  const Tensor k = key(x);    // (B, T, hs)
  const Tensor q = query(x);  // (B, T, hs)
  const Tensor v = value(x);  // (B, T, hs)
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size_));
  Tensor wei = mul(matmul(q, transpose(k, -2, -1)), scale);  // (B, T, T)
  wei = softmax(causal_mask(wei), -1);                       // (B, T, T)
  wei = drop(wei);  // the identity unless dropout is on (v10+, lesson 12)
  if (weights != nullptr) *weights = wei;
  return matmul(wei, v);  // (B, T, hs)
}

}  // namespace bg
