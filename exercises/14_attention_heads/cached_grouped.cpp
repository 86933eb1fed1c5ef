// Lesson 14, exercise 5: grouped-query attention with a KV cache. Read
// lessons/14_attention_heads/README.md#exercise-5, then replace the stub's body.
#include "bg/error.h"
#include "bg/grouped_attention.h"

namespace bg {

// forward_cached(sa, x, caches): x (1, n, C) holds new rows. caches holds one HeadCache per
// key/value head (sa.n_kv_head() of them). Compute q = sa.query(x) (1, n, C) and the new keys
// and values k = sa.key(x), v = sa.value(x) (1, n, K·hs); append head g's rows of k and v to
// caches[g] (rows len … len+n-1, then len += n); for every query head h, gather its n rows of q
// (columns h·hs …) and call lesson 13's cached_attention over the cache of head h / n_rep;
// put its output back in columns h·hs … of a (1, n, C) result; return sa.proj of it. Check the
// inputs first (bg/grouped_attention.h lists the errors). The tests hold the result to the
// uncached model's, token after token, and the cache to K heads' memory.
Tensor forward_cached([[maybe_unused]] const GroupedQueryAttention& sa,
                      [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] std::span<HeadCache> caches) {
  bg::not_implemented(14, 5, "forward_cached (grouped-query attention)");
}

}  // namespace bg
