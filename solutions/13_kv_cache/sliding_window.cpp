// Lesson 13, exercise 5: the window and its slide.
#include <algorithm>

#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

Tensor next_logits(const LanguageModel& model, std::span<const int32_t> context, KVCache& cache) {
  if (context.empty()) throw Error("next_logits: the context is empty (give at least one token)");
  // The uncached model's view: the last block_size tokens, at positions 0 … T-1.
  const auto T = std::min(context.size(), static_cast<size_t>(model.config().block_size));
  const std::span<const int32_t> window = context.last(T);
  // Reusable only if the cache holds the window's first tokens at the same positions. After
  // a slide every token sits one position earlier, so nothing cached is valid any more.
  const bool prefix = cache.tokens.size() < window.size() &&
                      std::equal(cache.tokens.begin(), cache.tokens.end(), window.begin());
  if (!prefix) cache.clear();
  return forward_cached(model, window.subspan(cache.tokens.size()), cache);
}

}  // namespace bg
