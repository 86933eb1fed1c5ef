// Token streams, batches, loss estimates and generation — the training loop's data side
// (lessons 05–06).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bg/models.h"
#include "bg/random.h"

namespace bg {

// The course's split: the first 90% of the token stream (int(0.9 * n) tokens) is train,
// the rest validation.
struct Split {
  std::vector<int32_t> train, val;
};
Split split_train_val(std::span<const int32_t> tokens, double train_fraction = 0.9);
// How many of n tokens that split gives to train: int(train_fraction · n). bg::Error for a
// train_fraction outside [0, 1].
size_t train_split_size(size_t n, double train_fraction = 0.9);

// B random windows of T+1 consecutive tokens: start i = gen.randint(n - T) for each row,
// x = data[i .. i+T), y = data[i+1 .. i+T+1). bg::Error if the data holds fewer than T+1
// tokens ("corpus shorter than a block").
Batch get_batch(std::span<const int32_t> data, int64_t B, int64_t T, Generator& gen);

// As the course: the model in eval mode, no graph, the mean loss of `iters` random batches
// from each split; then back to train mode. `stop`, when given, is asked before every batch:
// once it returns true the estimate ends at once with `stopped` set (and its losses
// meaningless) — how the program honours Ctrl-C during a long evaluation. The losses are
// model_loss(model, batch, features).
struct LossEstimate {
  double train = 0.0, val = 0.0;
  bool stopped = false;
};
LossEstimate estimate_loss(LanguageModel& model, const Split& split, int64_t iters, int64_t B,
                           int64_t T, Generator& gen, const std::function<bool()>& stop = {},
                           FeaturesFn features = own_features);

// Deterministic full evaluation: the mean cross-entropy over `data` cut into consecutive
// non-overlapping windows of T inputs (targets shifted by one); a tail shorter than a
// window is dropped. Processes `rows_per_step` windows at a time, the features computed by
// `features`.
inline constexpr int64_t kEvalRowsPerStep = 64;
double evaluate_loss(const LanguageModel& model, std::span<const int32_t> data, int64_t T,
                     int64_t rows_per_step = kEvalRowsPerStep, FeaturesFn features = own_features);

// ---- Lesson 05, exercise 6 ----------------------------------------------------------------
// One draw from the categorical distribution with weights `probs`, by inverse CDF with
// exactly one gen.uniform():
//   u = gen.uniform() · total   (total = the sum of the weights, accumulated in double)
//   return the first i whose running sum probs[0] + ... + probs[i] exceeds u
// (if rounding leaves u beyond the last running sum, the last i with a non-zero weight).
// The weights need not sum to 1: they are normalised by their total, as torch.multinomial
// does, so a weight of 0 is never drawn. bg::Error for an empty span, a negative, NaN or
// infinite weight (naming its index and value), or weights that are all zero.
int64_t multinomial(std::span<const float> probs, Generator& gen);

// ---- Lesson 06, exercise 3 ----------------------------------------------------------------
// The model's view of a context during generation: its last block_size tokens (all of them
// if it is shorter). bg::Error when block_size <= 0.
std::vector<int32_t> crop_context(std::span<const int32_t> context, int64_t block_size);

// Generation options: temperature divides the logits; top_k > 0 keeps the k largest.
struct SampleOptions {
  int64_t max_new_tokens = 100;
  float temperature = 1.0f;
  int64_t top_k = 0;
};
// Appends max_new_tokens tokens to `context`, each sampled from the model's distribution at
// the last position, feeding the model at most the last block_size tokens (crop_context).
// For each new token: logits of the last position / temperature; with top_k > 0 every logit
// below the k-th largest becomes -inf (ties with the k-th are kept, as the course's
// torch.topk recipe); probabilities = exp(log_softmax); one multinomial draw. No graph is
// recorded. Returns the whole sequence (context + new tokens). bg::Error for an empty
// context, temperature <= 0, top_k < 0 or logits that are not finite.
std::vector<int32_t> generate(const LanguageModel& model, std::vector<int32_t> context,
                              const SampleOptions& options, Generator& gen);
// The same with the last position's features computed by `features` instead of the model's
// own forward (generate is generate_with(…, own_features)). `on_token`, when given, is called
// with each new token as soon as it is drawn (to show the text as it grows, or to stop):
// when it returns false, generation stops there and the result ends with that token.
std::vector<int32_t> generate_with(const LanguageModel& model, std::vector<int32_t> context,
                                   const SampleOptions& options, Generator& gen,
                                   FeaturesFn features,
                                   const std::function<bool(int32_t)>& on_token = {});

// The two halves of generate() that generation with a KV cache (bg/kv_cache.h) shares:
// bg::Error for temperature <= 0, top_k < 0 or max_new_tokens < 0;
void check_sample_options(const SampleOptions& options);
// and the draw of one token from the logits (V) of the last position: / temperature, top-k,
// exp(log_softmax), one multinomial draw. `scratch` is reused between calls (no allocation
// per token once it has grown). bg::Error naming the token when a logit is not finite.
int32_t sample_token(std::span<const float> logits, const SampleOptions& options, Generator& gen,
                     std::vector<float>& scratch);

}  // namespace bg
