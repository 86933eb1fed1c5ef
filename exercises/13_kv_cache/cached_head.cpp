// Lesson 13, exercise 2: one head, then one attention layer, with a KV cache. Read
// lessons/13_kv_cache/README.md#exercise-2, then replace the stubs' bodies.
#include "bg/attention.h"
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// forward_cached(head, x, cache): x (1, n, C) holds the new rows, at positions
// cache.len … cache.len+n-1. Returns the new rows' output (1, n, hs): the same rows
// head.forward would give on the whole sequence so far (README §3, item 2).
// - Errors (bg::Error), checked before anything changes (a refused call leaves the cache as
//   it was):
//     x is not (1, n, head.n_embed())              -> the message shows x's shape;
//     cache.head_size != head.head_size()          -> it shows both numbers;
//     cache.len + n > cache.capacity               -> it says "full" and shows cache.len and
//                                                      the capacity.
// - Available: head.key, head.query, head.value (Linear, (1, n, C) -> (1, n, hs)), the
//   cache's k and v ((capacity, hs) each, row-major, rows 0 … len-1 filled), your
//   cached_attention (exercise 1), and bg::tensor(values, shape) to wrap the result.
// - Afterwards cache.len has grown by n, and rows 0 … cache.len-1 of cache.k and cache.v
//   hold the keys and values of every position so far (the tests read them).
// No dropout: generation runs in eval mode.
Tensor forward_cached([[maybe_unused]] const Head& head, [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] HeadCache& cache) {
  bg::not_implemented(13, 2, "forward_cached(Head)");
}

// forward_cached(sa, x, caches): (1, n, C) -> (1, n, C), the attention layer's output for
// the new rows, as sa.forward would give it. Head h reads and extends caches[h] only.
// bg::Error naming both numbers when caches.size() != sa.heads.size(). A ProjectedAttention
// (lesson 10; dynamic_cast tells) has its W^O as well; its dropout is off when sampling.
Tensor forward_cached([[maybe_unused]] const MultiHeadAttention& sa,
                      [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] std::span<HeadCache> caches) {
  bg::not_implemented(13, 2, "forward_cached(MultiHeadAttention)");
}

}  // namespace bg
