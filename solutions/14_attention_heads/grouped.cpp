// Lesson 14, exercises 3 and 4: key/value heads shared by groups of query heads, and
// grouped-query attention built on them.
#include <cmath>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/grouped_attention.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

Tensor repeat_kv(const Tensor& x, int64_t n_kv_head, int64_t n_rep) {
  if (n_kv_head <= 0 || n_rep <= 0 || x.dim() < 1 || x.shape().back() % n_kv_head != 0) {
    throw Error(
        "repeat_kv: n_kv_head and n_rep must be positive and x's last dimension must "
        "divide by n_kv_head, got x " +
        shape_str(x.shape()) + ", n_kv_head " + std::to_string(n_kv_head) + ", n_rep " +
        std::to_string(n_rep));
  }
  if (n_rep == 1) return x;  // every head its own: nothing to share
  const int64_t K = n_kv_head, hs = x.shape().back() / K;
  const int64_t rows = x.numel() / (K * hs);  // x viewed as (rows, K, hs)
  Shape shape = x.shape();
  shape.back() = K * n_rep * hs;
  const float* xs = x.data().data();
  std::vector<float> y = take_buffer(static_cast<size_t>(rows * K * n_rep * hs));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < K; ++g)
      for (int64_t c = 0; c < n_rep; ++c)
        for (int64_t i = 0; i < hs; ++i)
          y[((r * K + g) * n_rep + c) * hs + i] = xs[(r * K + g) * hs + i];  // copy c of head g
  return make_result(
      std::move(y), shape, {x},
      [rows, K, n_rep, hs](const Node& out) {
        float* dx = grad_or_null(out.parents[0].node());
        if (dx == nullptr) return;
        const float* g = out.grad.data();
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t k = 0; k < K; ++k)
            for (int64_t c = 0; c < n_rep; ++c)
              for (int64_t i = 0; i < hs; ++i)
                dx[(r * K + k) * hs + i] += g[((r * K + k) * n_rep + c) * hs + i];  // Σ copies
      },
      "repeat_kv");
}

Tensor GroupedQueryAttention::forward(const Tensor& x, std::vector<Tensor>* weights) const {
  if (x.dim() != 3 || x.size(2) != n_embed_ || x.size(1) > block_size_) {
    throw Error("GroupedQueryAttention: input must be (B, T, " + std::to_string(n_embed_) +
                ") with T <= block_size " + std::to_string(block_size_) + ", got shape " +
                shape_str(x.shape()));
  }
  const Tensor q = query(x);                                  // (B, T, C)
  const Tensor k = repeat_kv(key(x), n_kv_head_, n_rep());    // (B, T, K·hs) -> (B, T, C)
  const Tensor v = repeat_kv(value(x), n_kv_head_, n_rep());  // (B, T, K·hs) -> (B, T, C)
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_size()));
  Tensor wei = mul(head_scores(q, k, n_head_), scale);  // (B, nh, T, T)
  wei = softmax(causal_mask(wei), -1);                  // (B, nh, T, T)
  wei = attn_drop(wei);                                 // the identity unless dropout is on (v10+)
  if (weights != nullptr) *weights = head_weights(wei);
  return drop(proj(head_mix(wei, v)));  // (B, T, C)
}

}  // namespace bg
