// The training loop's data side (lessons 05–06): the train/validation split, random
// batches, loss estimates, the deterministic full evaluation and generation.
#include "bg/data.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

size_t train_split_size(size_t n, double train_fraction) {
  if (!(train_fraction >= 0.0 && train_fraction <= 1.0)) {
    throw Error("split_train_val: train_fraction must be in [0, 1], got " +
                std::to_string(train_fraction));
  }
  // int(0.9 * n) as Python computes it: the product in double, truncated.
  return static_cast<size_t>(train_fraction * static_cast<double>(n));
}

Split split_train_val(std::span<const int32_t> tokens, double train_fraction) {
  const size_t n_train = train_split_size(tokens.size(), train_fraction);
  Split s;
  s.train.assign(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(n_train));
  s.val.assign(tokens.begin() + static_cast<std::ptrdiff_t>(n_train), tokens.end());
  return s;
}

Batch get_batch(std::span<const int32_t> data, int64_t B, int64_t T, Generator& gen) {
  if (B <= 0 || T <= 0) {
    throw Error("get_batch: batch size and block size must be positive, got B = " +
                std::to_string(B) + ", T = " + std::to_string(T));
  }
  const auto n = static_cast<int64_t>(data.size());
  if (n < T + 1) {
    throw Error("get_batch: corpus shorter than a block: " + std::to_string(n) +
                " tokens, but a block of " + std::to_string(T) + " needs at least " +
                std::to_string(T + 1) + " (inputs + the next token)");
  }
  Batch batch;
  batch.B = B;
  batch.T = T;
  batch.x.resize(static_cast<size_t>(B * T));
  batch.y.resize(static_cast<size_t>(B * T));
  for (int64_t b = 0; b < B; ++b) {  // row b: x = data[i, i+T), y = data[i+1, i+T+1)
    const auto i = static_cast<int64_t>(gen.randint(static_cast<uint64_t>(n - T)));
    std::copy_n(data.begin() + i, T, batch.x.begin() + b * T);
    std::copy_n(data.begin() + i + 1, T, batch.y.begin() + b * T);
  }
  return batch;
}

LossEstimate estimate_loss(LanguageModel& model, const Split& split, int64_t iters, int64_t B,
                           int64_t T, Generator& gen, const std::function<bool()>& stop,
                           FeaturesFn features) {
  if (iters <= 0)
    throw Error("estimate_loss: iters must be positive, got " + std::to_string(iters));
  const bool was_training = model.is_training();
  model.eval();
  LossEstimate out;
  {
    NoGradGuard no_grad;
    for (int which = 0; which < 2; ++which) {
      const std::vector<int32_t>& data = which == 0 ? split.train : split.val;
      double total = 0.0;
      for (int64_t k = 0; k < iters && !out.stopped; ++k) {
        if (stop && stop()) {
          out.stopped = true;
          break;
        }
        total += model_loss(model, get_batch(data, B, T, gen), features).item();
      }
      (which == 0 ? out.train : out.val) = total / static_cast<double>(iters);
    }
  }
  model.train(was_training);
  return out;
}

double evaluate_loss(const LanguageModel& model, std::span<const int32_t> data, int64_t T,
                     int64_t rows_per_step, FeaturesFn features) {
  if (T <= 0 || rows_per_step <= 0) {
    throw Error("evaluate_loss: T and rows_per_step must be positive, got T = " +
                std::to_string(T) + ", rows_per_step = " + std::to_string(rows_per_step));
  }
  const auto n = static_cast<int64_t>(data.size());
  const int64_t windows = n > 0 ? (n - 1) / T : 0;  // window w: x = data[wT, wT+T), y shifted
  if (windows == 0) {
    throw Error("evaluate_loss: corpus shorter than a block: " + std::to_string(n) +
                " tokens, a window of " + std::to_string(T) + " needs " + std::to_string(T + 1));
  }
  NoGradGuard no_grad;
  double total = 0.0;  // the summed (not averaged) loss of every target
  for (int64_t w0 = 0; w0 < windows; w0 += rows_per_step) {
    const int64_t rows = std::min(rows_per_step, windows - w0);
    Batch batch;
    batch.B = rows;
    batch.T = T;
    // Consecutive windows tile the data: rows·T inputs from w0·T, targets one further.
    batch.x.assign(data.begin() + w0 * T, data.begin() + (w0 + rows) * T);
    batch.y.assign(data.begin() + w0 * T + 1, data.begin() + (w0 + rows) * T + 1);
    total += model_loss(model, batch, features).item() * static_cast<double>(rows * T);
  }
  return total / static_cast<double>(windows * T);
}

void check_sample_options(const SampleOptions& options) {
  if (!(options.temperature > 0.0f) || !std::isfinite(options.temperature)) {
    throw Error("generate: temperature must be positive, got " +
                shortest_text(options.temperature));
  }
  if (options.top_k < 0) {
    throw Error("generate: top_k must be >= 0 (0 = off), got " + std::to_string(options.top_k));
  }
  if (options.max_new_tokens < 0) {
    throw Error("generate: max_new_tokens must be >= 0, got " +
                std::to_string(options.max_new_tokens));
  }
}

int32_t sample_token(std::span<const float> logits, const SampleOptions& options, Generator& gen,
                     std::vector<float>& scratch) {
  const auto V = static_cast<int64_t>(logits.size());
  scratch.resize(static_cast<size_t>(2 * V));
  const auto scaled = std::span(scratch).first(static_cast<size_t>(V));
  for (int64_t i = 0; i < V; ++i) {
    if (!std::isfinite(logits[i])) {
      throw Error("generate: the model's logit for token " + std::to_string(i) + " is " +
                  shortest_text(logits[i]) + ": its outputs are not finite (broken weights?)");
    }
    scaled[i] = logits[i] / options.temperature;
  }
  if (options.top_k > 0 && options.top_k < V) {
    // the k-th largest value; everything below it becomes -inf (ties are kept)
    const auto sorted = std::span(scratch).subspan(static_cast<size_t>(V));
    std::copy(scaled.begin(), scaled.end(), sorted.begin());
    std::nth_element(sorted.begin(), sorted.begin() + (options.top_k - 1), sorted.end(),
                     std::greater<float>());
    const float kth = sorted[static_cast<size_t>(options.top_k - 1)];
    for (float& l : scaled)
      if (l < kth) l = -std::numeric_limits<float>::infinity();
  }
  const Tensor probs = exp(log_softmax(tensor(copy_buffer(scaled), {V}), 0));
  return static_cast<int32_t>(multinomial(probs.data(), gen));
}

std::vector<int32_t> generate(const LanguageModel& model, std::vector<int32_t> context,
                              const SampleOptions& options, Generator& gen) {
  return generate_with(model, std::move(context), options, gen, own_features);
}

std::vector<int32_t> generate_with(const LanguageModel& model, std::vector<int32_t> context,
                                   const SampleOptions& options, Generator& gen,
                                   FeaturesFn features,
                                   const std::function<bool(int32_t)>& on_token) {
  if (context.empty()) throw Error("generate: the context is empty (give at least one token)");
  check_sample_options(options);
  NoGradGuard no_grad;
  const int64_t V = model.config().vocab_size;
  std::vector<float> scratch;  // sample_token's, reused
  context.reserve(context.size() + static_cast<size_t>(options.max_new_tokens));
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    const std::vector<int32_t> idx = crop_context(context, model.config().block_size);
    const auto T = static_cast<int64_t>(idx.size());
    // Only the last position's logits are needed: lm_head on its features alone, (1, 1, V).
    Tensor last = model.lm_head()(narrow(features(model, idx, 1, T), 1, -1, 1));
    context.push_back(
        sample_token(last.data().first(static_cast<size_t>(V)), options, gen, scratch));
    if (on_token && !on_token(context.back())) break;
  }
  return context;
}

}  // namespace bg
