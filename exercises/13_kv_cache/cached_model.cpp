// Lesson 13, exercise 4: the whole model, one step, with a KV cache. Read
// lessons/13_kv_cache/README.md#exercise-4, then replace the stub's body.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kv_cache.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

// forward_cached(model, tokens, cache) -> the logits (V) of the token after the last new one.
// The n new tokens sit at the true positions cache.length() … cache.length()+n-1 (README §2):
// the result must equal the uncached model's logits at that last position.
// - Errors (bg::Error), checked before anything changes:
//     cache.check_fits(model.config()) (engine code) — a cache made for another model;
//     no tokens                                      -> the message says "no tokens";
//     cache.length() + n > cache.capacity            -> it says "full" and shows
//                                                        "block_size <capacity>".
// - Record no graph (bg/autograd.h has the guard). No dropout: eval mode.
// - Find the model's parts with dynamic_cast (bg/models.h): PositionalModel (v2+) has the
//   token and position tables; BabyGPTv3, BabyGPTv4 and GPT expose their attention layers
//   (and GPT its ffwd, blocks and ln_final) publicly. v1 has no position table and no
//   attention: model.features() gives what lm_head reads. Look at each model's forward in
//   engine/src/models.cpp and repeat it on the new rows only, with your cached layers
//   (exercises 2 and 3). Attention layer l reads and extends cache.layers[l] — its own.
// - Only the last row's logits are needed: lm_head runs on it alone; model.lm_head() gives
//   the head.
// - Afterwards cache.tokens has the new tokens appended (cache.length() grew by n).
Tensor forward_cached([[maybe_unused]] const LanguageModel& model,
                      [[maybe_unused]] std::span<const int32_t> tokens,
                      [[maybe_unused]] KVCache& cache) {
  bg::not_implemented(13, 4, "forward_cached(LanguageModel)");
}

}  // namespace bg
