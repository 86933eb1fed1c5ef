// Lesson 13, exercise 3: a block with a KV cache.
#include "bg/blocks.h"
#include "bg/error.h"
#include "bg/kv_cache.h"
#include "bg/ops.h"

namespace bg {

Tensor forward_cached(const Block& block, const Tensor& x, std::span<HeadCache> caches) {
  // Only attention looks at other positions; the norms, W^O, the feed-forward and the
  // residual additions work row by row, so the new rows alone go through them.
  switch (block.config().kind) {
    case BlockKind::plain:  // v6: ffwd(sa(x))
      return block.ffwd(forward_cached(*block.sa, x, caches));
    case BlockKind::residual: {  // v7, v8: x + sa(x), then h + ffwd(h)
      const Tensor h = add(x, forward_cached(*block.sa, x, caches));
      return add(h, block.ffwd(h));
    }
    case BlockKind::prenorm: {  // v9+: x + sa(ln1(x)), then h + ffwd(ln2(h))
      const Tensor h = add(x, forward_cached(*block.sa, block.ln1->forward(x), caches));
      return add(h, block.ffwd(block.ln2->forward(h)));
    }
  }
  throw Error("forward_cached: unknown block kind");
}

}  // namespace bg
