// Lesson 13, exercise 3: a block with a KV cache. Read
// lessons/13_kv_cache/README.md#exercise-3, then replace the stub's body.
#include "bg/error.h"
#include "bg/gpt.h"
#include "bg/kv_cache.h"
#include "bg/ops.h"

namespace bg {

// forward_cached(block, x, caches): the block's forward on the new rows x (1, n, C) — with
// its attention replaced by forward_cached(*block.sa, …, caches). Switch on
// block.config().kind, exactly as lessons 09–11 wired the three kinds:
//   plain     ffwd(sa(x))
//   residual  h = x + sa(x);       h + ffwd(h)
//   prenorm   h = x + sa(ln1(x));  h + ffwd(ln2(h))
// (block.ffwd, *block.ln1, *block.ln2 are the block's own modules.)
Tensor forward_cached([[maybe_unused]] const Block& block, [[maybe_unused]] const Tensor& x,
                      [[maybe_unused]] std::span<HeadCache> caches) {
  bg::not_implemented(13, 3, "forward_cached(Block)");
}

}  // namespace bg
