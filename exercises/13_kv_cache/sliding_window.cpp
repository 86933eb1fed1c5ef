// Lesson 13, exercise 5: the window and its slide. Read
// lessons/13_kv_cache/README.md#exercise-5, then replace the stub's body.
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// next_logits(model, context, cache) -> the logits (V) of the token after `context`: exactly
// what the uncached model gives at the last position of crop_context(context, block_size) —
// the window, at positions 0 … T-1 (README §2).
// - bg::Error for an empty context (the message says "empty").
// - Reuse what is valid, rebuild what is not:
//     * when the cache holds a beginning of the WINDOW (its tokens are the window's first
//       cache.length() tokens, and there are fewer of them than the window has), run only
//       the window's remaining tokens through forward_cached (exercise 4);
//     * in every other case, clear the cache (cache.clear()) and run the whole window. That
//       includes a context that has grown past block_size while the cache holds only a short
//       prefix of the CONTEXT: once the window has slid, the context's first tokens are no
//       longer the window's, their positions have changed, and nothing cached is valid.
//       Compare the cache with the window, never with the start of the context.
// - Afterwards the cache holds exactly the window: cache.tokens == the last
//   min(|context|, block_size) tokens of context. forward_cached must never be asked for
//   more than block_size positions.
Tensor next_logits([[maybe_unused]] const LanguageModel& model,
                   [[maybe_unused]] std::span<const int32_t> context,
                   [[maybe_unused]] KVCache& cache) {
  bg::not_implemented(13, 5, "next_logits");
}

}  // namespace bg
