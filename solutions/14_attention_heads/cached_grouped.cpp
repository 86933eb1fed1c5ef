// Lesson 14, exercise 5: grouped-query attention with a KV cache of K key/value heads.
#include <algorithm>
#include <string>
#include <vector>

#include "bg/error.h"
#include "bg/grouped_attention.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor forward_cached(const GroupedQueryAttention& sa, const Tensor& x,
                      std::span<HeadCache> caches) {
  const int64_t C = sa.n_embed(), nh = sa.n_head(), K = sa.n_kv_head(), hs = sa.head_size();
  if (x.dim() != 3 || x.size(0) != 1 || x.size(2) != C) {
    throw Error("forward_cached: x must be (1, n, " + std::to_string(C) + "), got shape " +
                shape_str(x.shape()));
  }
  if (static_cast<int64_t>(caches.size()) != K) {
    throw Error("forward_cached: " + std::to_string(K) + " key/value heads but " +
                std::to_string(caches.size()) + " caches");
  }
  const int64_t n = x.size(1), past = caches[0].len;
  for (const HeadCache& cache : caches) {
    if (cache.head_size != hs) {
      throw Error("forward_cached: the cache holds rows of " + std::to_string(cache.head_size) +
                  " values, the heads' size is " + std::to_string(hs));
    }
    if (cache.len != past) {
      throw Error("forward_cached: the key/value heads' caches hold different lengths, " +
                  std::to_string(past) + " and " + std::to_string(cache.len) + " positions");
    }
    if (past + n > cache.capacity) {
      throw Error("forward_cached: the cache is full: it holds " + std::to_string(cache.len) +
                  " of " + std::to_string(cache.capacity) + " positions, no room for " +
                  std::to_string(n) + " more");
    }
  }
  const Tensor q = sa.query(x);  // (1, n, C): query head h in columns h·hs …
  const Tensor k = sa.key(x);    // (1, n, K·hs): key head g in columns g·hs …
  const Tensor v = sa.value(x);  // (1, n, K·hs)
  // key/value head g's new rows become rows past … past+n-1 of its cache
  for (int64_t g = 0; g < K; ++g) {
    HeadCache& cache = caches[static_cast<size_t>(g)];
    for (int64_t t = 0; t < n; ++t) {
      const auto from = (t * K + g) * hs, to = (past + t) * hs;
      std::copy_n(k.data().begin() + from, hs, cache.k.begin() + to);
      std::copy_n(v.data().begin() + from, hs, cache.v.begin() + to);
    }
    cache.len = past + n;
  }
  // every query head over its group's cache, its rows gathered and its output put back in place
  std::vector<float> out = take_buffer(static_cast<size_t>(n * C));
  std::vector<float> q_h(static_cast<size_t>(n * hs)), out_h(q_h.size());
  for (int64_t h = 0; h < nh; ++h) {
    const HeadCache& cache = caches[static_cast<size_t>(h / sa.n_rep())];
    for (int64_t t = 0; t < n; ++t) {
      std::copy_n(q.data().begin() + t * C + h * hs, hs, q_h.begin() + t * hs);
    }
    cached_attention(q_h.data(), cache.k.data(), cache.v.data(), out_h.data(), n, past, hs);
    for (int64_t t = 0; t < n; ++t) {
      std::copy_n(out_h.begin() + t * hs, hs, out.begin() + t * C + h * hs);
    }
  }
  return sa.proj(tensor(std::move(out), {1, n, C}));  // W^O mixes the heads
}

}  // namespace bg
