// The parts of lesson 13 that are not exercises: the caches' memory, sized from the model,
// and the sampling loop around next_logits (bg/kv_cache.h).
#include "bg/kv_cache.h"

#include <algorithm>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/grouped_attention.h"

namespace bg {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// Returns head_size · capacity after checking both are positive.
size_t checked_rows(int64_t hs, int64_t cap) {
  if (hs <= 0 || cap <= 0) {
    throw Error("HeadCache: head_size and capacity must be positive, got " + str(hs) + " and " +
                str(cap));
  }
  return static_cast<size_t>(hs * cap);
}

}  // namespace

HeadCache::HeadCache(int64_t hs, int64_t cap)
    : k(checked_rows(hs, cap)), v(k.size()), head_size(hs), capacity(cap) {}

KVCache::KVCache(const LanguageModel& model) : KVCache(model, model.config().block_size) {}

KVCache::KVCache(const LanguageModel& model, int64_t positions)
    : capacity(positions), config_(model.config()) {
  if (capacity < 1 || capacity > config_.block_size) {
    throw Error("KVCache: the capacity must be 1 … block_size = " + str(config_.block_size) +
                " positions, got " + str(capacity));
  }
  const ModelConfig& c = config_;
  const ModelVersion& m = c.model_version();
  // (layers, heads, head_size) of the model's attention
  const int64_t n_layers = m.attention_layers(c.n_layer);
  int64_t n_heads = 0, hs = 0;
  if (m.attention == Attention::one_head) {
    n_heads = 1, hs = c.n_embed;  // one head of size n_embed
  } else if (m.attention == Attention::heads) {
    n_heads = c.kv_heads(), hs = c.n_embed / c.n_head;  // grouped: n_kv_head heads (lesson 14)
  }
  layers.resize(static_cast<size_t>(n_layers));
  for (auto& layer : layers) {
    for (int64_t h = 0; h < n_heads; ++h) layer.emplace_back(hs, capacity);
  }
  tokens.reserve(static_cast<size_t>(capacity));
}

void KVCache::clear() {
  tokens.clear();
  for (auto& layer : layers) {
    for (HeadCache& head : layer) head.len = 0;
  }
}

void KVCache::check_fits(const ModelConfig& c) const {
  const ModelConfig& m = config_;
  if (c.model != m.model || c.block_size != m.block_size || c.n_embed != m.n_embed ||
      c.n_head != m.n_head || c.kv_heads() != m.kv_heads() ||
      (c.has_blocks() && c.n_layer != m.n_layer)) {
    throw Error("KVCache: this cache was made for a " + m.model + " (block_size " +
                str(m.block_size) + ", n_embed " + str(m.n_embed) + ", n_head " + str(m.n_head) +
                ", n_kv_head " + str(m.kv_heads()) + ", n_layer " + str(m.n_layer) +
                ") and cannot serve a " + c.model + " (block_size " + str(c.block_size) +
                ", n_embed " + str(c.n_embed) + ", n_head " + str(c.n_head) + ", n_kv_head " +
                str(c.kv_heads()) + ", n_layer " + str(c.n_layer) + ")");
  }
}

Tensor forward_cached(const SelfAttention& sa, const Tensor& x, std::span<HeadCache> caches) {
  if (const auto* grouped = dynamic_cast<const GroupedQueryAttention*>(&sa)) {
    return forward_cached(*grouped, x, caches);  // lesson 14
  }
  if (const auto* heads = dynamic_cast<const MultiHeadAttention*>(&sa)) {
    return forward_cached(*heads, x, caches);  // lesson 13
  }
  throw Error("forward_cached: this kind of attention has no KV cache");
}

int64_t generation_cache_positions(const ModelConfig& config, int64_t context_tokens,
                                   int64_t new_tokens) {
  // next_logits sees contexts of context_tokens … context_tokens + new_tokens - 1 tokens, and
  // the window of each is its last block_size tokens at most.
  const int64_t longest = context_tokens + std::max<int64_t>(new_tokens, 1) - 1;
  return std::clamp<int64_t>(longest, 1, std::max<int64_t>(config.block_size, 1));
}

std::vector<int32_t> generate_cached(const LanguageModel& model, std::vector<int32_t> context,
                                     const SampleOptions& options, Generator& gen,
                                     const std::function<bool(int32_t)>& on_token) {
  if (context.empty()) throw Error("generate: the context is empty (give at least one token)");
  check_sample_options(options);
  const ModelConfig& c = model.config();
  if (model.is_training() && c.has_dropout() && c.dropout > 0.0f) {
    throw Error("generate: the " + c.model + " model is in training mode, so its dropout (p = " +
                std::to_string(c.dropout) + ") is on: call model.eval() before sampling from it");
  }
  NoGradGuard no_grad;
  // Room for the longest window this generation sees, not always block_size: a short sample
  // of a deep model with a long block needs a small part of a full cache.
  KVCache cache(model, generation_cache_positions(c, static_cast<int64_t>(context.size()),
                                                  options.max_new_tokens));
  std::vector<float> scratch;  // sample_token's, reused
  context.reserve(context.size() + static_cast<size_t>(options.max_new_tokens));
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    const Tensor logits = next_logits(model, context, cache);  // (V)
    context.push_back(sample_token(logits.data(), options, gen, scratch));
    if (on_token && !on_token(context.back())) break;
  }
  return context;
}

}  // namespace bg
