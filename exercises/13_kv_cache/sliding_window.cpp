// Lesson 13, exercise 5: the window and its slide. Read
// lessons/13_kv_cache/README.md#exercise-5, then replace the stub's body.
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// next_logits(model, context, cache) -> the logits (V) of the token after `context`.
// - Throw bg::Error for an empty context.
// - The window: the last min(context.size(), block_size) tokens — what the uncached model
//   sees, at positions 0 … T-1.
// - If the cache holds FEWER tokens than the window and they are the window's first ones
//   (std::equal), run only the rest: forward_cached(model, window.subspan(cache.length()),
//   cache).
// - Otherwise (the window slid, or another context) clear the cache and run the whole
//   window.
Tensor next_logits([[maybe_unused]] const LanguageModel& model,
                   [[maybe_unused]] std::span<const int32_t> context,
                   [[maybe_unused]] KVCache& cache) {
  bg::not_implemented(13, 5, "next_logits");
}

}  // namespace bg
