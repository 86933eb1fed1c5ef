// Lesson 13, exercise 2: one head, then one attention layer, with a KV cache. Read
// lessons/13_kv_cache/README.md#exercise-2, then replace the stubs' bodies.
#include "bg/attention.h"
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// forward_cached(head, x, cache): x (1, n, C) holds the new rows, at positions
// cache.len … cache.len+n-1.
// - Throw bg::Error showing x's shape unless x is (1, n, head.n_embed()); throw bg::Error
//   with the numbers when cache.head_size != head.head_size() or cache.len + n exceeds
//   cache.capacity ("the cache is full").
// - k = head.key(x), q = head.query(x), v = head.value(x)        each (1, n, hs)
// - copy k's and v's values into cache.k and cache.v at row cache.len (offset len * hs),
//   then cache.len += n
// - out (n * hs floats): cached_attention(q, cache.k, cache.v, out, n, past, hs) where past
//   is the length BEFORE the append
// - return bg::tensor(std::move(out), {1, n, hs})
// No dropout: generation runs in eval mode.
Tensor forward_cached([[maybe_unused]] const Head& head, [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] HeadCache& cache) {
  bg::not_implemented(13, 2, "forward_cached(Head)");
}

// forward_cached(sa, x, caches): head h with caches[h] (throw bg::Error naming both numbers
// when caches.size() != sa.heads.size()), the outputs concatenated on the last dim
// (1, n, C); if sa is a ProjectedAttention (dynamic_cast), apply its proj as well.
Tensor forward_cached([[maybe_unused]] const MultiHeadAttention& sa,
                      [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] std::span<HeadCache> caches) {
  bg::not_implemented(13, 2, "forward_cached(MultiHeadAttention)");
}

}  // namespace bg
