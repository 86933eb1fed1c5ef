// Lesson 13, exercise 1: attention of new queries over cached keys and values.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "bg/kernels/gemm.h"
#include "bg/kernels/storage.h"
#include "bg/kv_cache.h"

namespace bg {

void cached_attention(const float* q, const float* k, const float* v, float* out, int64_t n_new,
                      int64_t past, int64_t hs) {
  const int64_t L = past + n_new;  // keys: every cached position and the new ones
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  // s (n_new, L) = q · kᵀ: one dot product per (new row, key). The engine's fast product
  // (bg/kernels/gemm.h); two plain loops compute the same numbers.
  std::vector<float> s = take_zeros(static_cast<size_t>(n_new * L));  // (n_new, L), recycled
  gemm_nt(q, k, s.data(), n_new, hs, L);
  for (int64_t i = 0; i < n_new; ++i) {
    float* row = s.data() + i * L;
    const int64_t p = past + i;  // this query's position: it sees keys 0 … p
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j <= p; ++j) {
      row[j] *= scale;
      m = std::max(m, row[j]);
    }
    float total = 0.0f;
    for (int64_t j = 0; j <= p; ++j) {
      row[j] = std::exp(row[j] - m);
      total += row[j];
    }
    const float inv = 1.0f / total;
    for (int64_t j = 0; j <= p; ++j) row[j] *= inv;
    std::fill(row + p + 1, row + L, 0.0f);  // the keys after p: masked, weight 0
  }
  // out (n_new, hs) = w (n_new, L) · v (L, hs)
  std::fill(out, out + n_new * hs, 0.0f);
  gemm_nn(s.data(), v, out, n_new, L, hs);
  give_buffer(std::move(s));
}

}  // namespace bg
