// Lesson 13, exercise 2: one head, then one attention layer, with a KV cache.
#include <algorithm>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/kv_cache.h"

namespace bg {

Tensor forward_cached(const Head& head, const Tensor& x, HeadCache& cache) {
  if (x.dim() != 3 || x.size(0) != 1 || x.size(2) != head.n_embed()) {
    throw Error("forward_cached: x must be (1, n, " + std::to_string(head.n_embed()) +
                "), got shape " + shape_str(x.shape()));
  }
  const int64_t n = x.size(1), hs = head.head_size(), past = cache.len;
  if (cache.head_size != hs) {
    throw Error("forward_cached: the cache holds rows of " + std::to_string(cache.head_size) +
                " values, the head's size is " + std::to_string(hs));
  }
  if (past + n > cache.capacity) {
    throw Error("forward_cached: the cache is full: it holds " + std::to_string(past) + " of " +
                std::to_string(cache.capacity) + " positions, no room for " + std::to_string(n) +
                " more");
  }
  const Tensor k = head.key(x);    // (1, n, hs)
  const Tensor q = head.query(x);  // (1, n, hs)
  const Tensor v = head.value(x);  // (1, n, hs)
  // the new keys and values become rows past … past+n-1 of the cache
  std::copy(k.data().begin(), k.data().end(), cache.k.begin() + past * hs);
  std::copy(v.data().begin(), v.data().end(), cache.v.begin() + past * hs);
  cache.len = past + n;
  std::vector<float> out = take_buffer(static_cast<size_t>(n * hs));
  cached_attention(q.data().data(), cache.k.data(), cache.v.data(), out.data(), n, past, hs);
  return tensor(std::move(out), {1, n, hs});
}

Tensor forward_cached(const MultiHeadAttention& sa, const Tensor& x, std::span<HeadCache> caches) {
  if (caches.size() != sa.heads.size()) {
    throw Error("forward_cached: " + std::to_string(sa.heads.size()) + " heads but " +
                std::to_string(caches.size()) + " caches");
  }
  std::vector<Tensor> outs;  // one (1, n, hs) per head
  outs.reserve(sa.heads.size());
  for (size_t h = 0; h < sa.heads.size(); ++h) {
    outs.push_back(forward_cached(*sa.heads[h], x, caches[h]));
  }
  Tensor out = concat(outs, -1);  // (1, n, C)
  // v8+: W^O mixes the heads (its dropout is off when sampling)
  if (const auto* projected = dynamic_cast<const ProjectedAttention*>(&sa)) {
    out = projected->proj(out);
  }
  return out;
}

}  // namespace bg
