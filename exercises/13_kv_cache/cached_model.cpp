// Lesson 13, exercise 4: the whole model, one step, with a KV cache. Read
// lessons/13_kv_cache/README.md#exercise-4, then replace the stub's body.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kv_cache.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

// forward_cached(model, tokens, cache) -> the logits (V) of the token after the last one.
// - cache.check_fits(model.config()); throw bg::Error for no tokens, and when
//   cache.length() + n > cache.capacity ("the cache is full"). Hold a NoGradGuard.
// - start = cache.length(): the true position of tokens[0].
// - v1 (dynamic_cast<const PositionalModel*> is null): x = model.features(last token, 1, 1).
// - otherwise x = token_embedding_table.forward(tokens, {1, n}) + rows start … start+n-1 of
//   position_embedding_table.weight (narrow), then by model type (dynamic_cast):
//     BabyGPTv3  forward_cached(sa_head, x, cache.layers[0][0])
//     BabyGPTv4  forward_cached(sa_heads, x, cache.layers[0])
//     GPT        v5 (sa_heads set): ffwd(forward_cached(*sa_heads, x, cache.layers[0]));
//                v6+: block l with cache.layers[l]; ln_final (v9+) at the end
//     v2         nothing: the embeddings are the features
//   and keep only the last row: narrow(x, 1, n - 1, 1), (1, 1, C).
// - append the tokens to cache.tokens; return model.lm_head() of the last row, reshaped {V}.
Tensor forward_cached([[maybe_unused]] const LanguageModel& model,
                      [[maybe_unused]] std::span<const int32_t> tokens,
                      [[maybe_unused]] KVCache& cache) {
  bg::not_implemented(13, 4, "forward_cached(LanguageModel)");
}

}  // namespace bg
