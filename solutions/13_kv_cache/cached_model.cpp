// Lesson 13, exercise 4: the whole model, one step, with a KV cache.
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kv_cache.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

Tensor forward_cached(const LanguageModel& model, std::span<const int32_t> tokens, KVCache& cache) {
  const ModelConfig& c = model.config();
  cache.check_fits(c);
  const auto n = static_cast<int64_t>(tokens.size());
  const int64_t start = cache.length();  // the true position of the first new token
  if (n == 0) throw Error("forward_cached: no tokens to run");
  if (start + n > cache.capacity) {
    throw Error("forward_cached: the cache is full: " + std::to_string(start) + " positions + " +
                std::to_string(n) + " new ones exceed block_size " +
                std::to_string(cache.capacity) + " (rebuild it from the last block_size tokens)");
  }
  NoGradGuard no_grad;
  Tensor x;  // (1, n, C), then (1, 1, C): the last row
  const auto* positional = dynamic_cast<const PositionalModel*>(&model);
  if (positional == nullptr) {
    // v1: each token's logits depend on that token alone, at any position.
    x = model.features(tokens.last(1), 1, 1);
  } else {
    // token embeddings + rows start … start+n-1 of the position table
    x = add(positional->token_embedding_table.forward(tokens, {1, n}),
            narrow(positional->position_embedding_table.weight, 0, start, n));
    if (const auto* v3 = dynamic_cast<const BabyGPTv3*>(&model)) {
      x = forward_cached(v3->sa_head, x, cache.layers[0][0]);
    } else if (const auto* v4 = dynamic_cast<const BabyGPTv4*>(&model)) {
      x = forward_cached(v4->sa_heads, x, cache.layers[0]);
    } else if (const auto* gpt = dynamic_cast<const GPT*>(&model)) {
      if (gpt->sa_heads) {  // v5
        x = gpt->ffwd->forward(forward_cached(*gpt->sa_heads, x, cache.layers[0]));
      } else {  // v6+: every block with its own layer's caches
        for (size_t l = 0; l < gpt->blocks->blocks.size(); ++l) {
          x = forward_cached(*gpt->blocks->blocks[l], x, cache.layers[l]);
        }
      }
    }                            // v2: the embeddings are the features
    x = narrow(x, 1, n - 1, 1);  // (1, 1, C): only the last row's logits are needed
    if (const auto* gpt = dynamic_cast<const GPT*>(&model); gpt != nullptr && gpt->ln_final) {
      x = gpt->ln_final->forward(x);  // v9+
    }
  }
  cache.tokens.insert(cache.tokens.end(), tokens.begin(), tokens.end());
  return reshape(model.lm_head()(x), {c.vocab_size});  // (V)
}

}  // namespace bg
