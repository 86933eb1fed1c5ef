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
  const int64_t B = x.size(0), T = x.size(1), nh = n_head_, hs = head_size_;
  // (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs): head h owns channels h*hs … (h+1)*hs-1.
  auto split_heads = [&](const Tensor& t) { return transpose(reshape(t, {B, T, nh, hs}), 1, 2); };
  const Tensor k = split_heads(key(x));    // (B, nh, T, hs)
  const Tensor q = split_heads(query(x));  // (B, nh, T, hs)
  const Tensor v = split_heads(value(x));  // (B, nh, T, hs)
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  Tensor wei = mul(matmul(q, transpose(k, -2, -1)), scale);  // (B, nh, T, T)
  wei = softmax(causal_mask(wei), -1);                       // (B, nh, T, T)
  if (weights != nullptr) *weights = wei;
  const Tensor out = matmul(wei, v);                      // (B, nh, T, hs)
  return reshape(transpose(out, 1, 2), {B, T, nh * hs});  // (B, T, C)
}

}  // namespace bg
