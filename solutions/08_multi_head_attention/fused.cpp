// Lesson 08, exercise 3: multi-head attention with one fused projection per role.
#include <cmath>
#include <string>

#include "bg/attention.h"
#include "bg/error.h"
#include "bg/linalg.h"
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
  // head_scores = matmul(q_heads, transpose(k_heads, -2, -1)) with x_heads (B, nh, T, hs) =
  // transpose(reshape(x, {B, T, nh, hs}), 1, 2), each head read in place instead of copied.
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size_));
  Tensor wei = mul(head_scores(q, k, nh), scale);  // (B, nh, T, T)
  wei = softmax(causal_mask(wei), -1);             // (B, nh, T, T)
  if (weights != nullptr) *weights = wei;
  // head_mix = reshape(transpose(matmul(wei, v_heads), 1, 2), {B, T, C}), written in place.
  return head_mix(wei, v);  // (B, T, C)
}

}  // namespace bg
