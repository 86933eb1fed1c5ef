// Lesson 08, exercise 3: multi-head attention with one fused projection per role.
#include <cmath>
#include <string>

#include "bg/attention.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

Tensor FusedMultiHeadAttention::forward(const Tensor& x, Tensor* weights) const {
  if (x.dim() != 3 || x.size(2) != n_embed_ || x.size(1) > block_size_) {
    throw Error("FusedMultiHeadAttention: input must be (B, T, " + std::to_string(n_embed_) +
                ") with T <= block_size " + std::to_string(block_size_) + ", got shape " +
                shape_str(x.shape()));
  }
  const int64_t nh = n_head_;
  // (B, T, C) each; head h owns channels h*hs … (h+1)*hs-1 of every row.
  const Tensor k = key(x);
  const Tensor q = query(x);
  const Tensor v = value(x);
  // head_scores(q, k, nh) is matmul(split(q), transpose(split(k), -2, -1)), where
  // split(t) = transpose(reshape(t, {B, T, nh, hs}), 1, 2), with each head read in place.
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size_));
  Tensor wei = mul(head_scores(q, k, nh), scale);  // (B, nh, T, T)
  wei = softmax(causal_mask(wei), -1);             // (B, nh, T, T)
  if (weights != nullptr) *weights = wei;
  // head_mix(wei, v) is reshape(transpose(matmul(wei, split(v)), 1, 2), {B, T, C}).
  return head_mix(wei, v);  // (B, T, C)
}

}  // namespace bg
