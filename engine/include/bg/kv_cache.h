// Generation with a KV cache — lesson 13.
//
// Generating token after token, the plain sampler (bg::generate) runs the model on the whole
// window (the last block_size tokens) for every new token, although the keys and values of
// every earlier position have not changed since the last step. A KV cache keeps them: each
// attention head stores the keys and values it has computed, and a new token computes only
// its own query, key and value (and its own row through the layer norms, W^O and the
// feed-forward), attending over the stored keys and values.
//
// Positions are the true positions: the window's first token sits at position 0, so the
// token appended to a cache of length P is at position P. When the context grows past
// block_size, the window slides: every token of the new window sits one position earlier
// than before, its position embedding changes, and with it every key and value of every
// layer. The cache is then rebuilt from the last block_size tokens (next_logits), so that the
// logits are exactly those of the uncached model, which crops the context the same way.
//
// Only one sequence at a time (B = 1): x is (1, n, C) everywhere below. No graph is needed
// and none should be recorded (generate_cached holds a NoGradGuard). There is no dropout
// here: generation runs in eval mode.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "bg/blocks.h"
#include "bg/data.h"
#include "bg/models.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// The keys and values one attention head has computed so far: row t of k and of v belongs to
// position t of the window, rows 0 … len-1 are filled. Room for `capacity` rows (block_size,
// or fewer when the sampler needs fewer: see KVCache), allocated once.
struct HeadCache {
  HeadCache() = default;
  HeadCache(int64_t head_size, int64_t capacity);  // engine code: empty, memory allocated
  std::vector<float> k, v;                         // (capacity, head_size) each, row-major
  int64_t head_size = 0;
  int64_t capacity = 0;
  int64_t len = 0;  // rows filled
};

// The caches of a whole model: for each attention layer, one HeadCache per head
// (v3: 1 layer of 1 head of size n_embed; v4, v5: 1 layer of n_head heads; v6+: n_layer
// layers of n_head heads; v1, v2: no layer at all), and the tokens the cache has seen. With
// grouped-query attention (lesson 14) a layer has one HeadCache per key/value head: n_kv_head,
// not n_head.
class KVCache {
 public:
  // engine code: empty caches sized for `model`, with room for block_size positions.
  explicit KVCache(const LanguageModel& model);
  // engine code: the same with room for `capacity` positions only, 1 … block_size: what a
  // sampler needs when its windows never grow that long (generate_cached). bg::Error for a
  // capacity outside that range.
  KVCache(const LanguageModel& model, int64_t capacity);
  // The number of positions cached: the position the next token will sit at.
  int64_t length() const { return static_cast<int64_t>(tokens.size()); }
  // Forgets every position (keeps the memory).
  void clear();
  // engine code: bg::Error unless this cache was made for a model of `config`'s shape.
  void check_fits(const ModelConfig& config) const;

  std::vector<std::vector<HeadCache>> layers;  // [layer][head]
  std::vector<int32_t> tokens;                 // the window's tokens, position by position
  int64_t capacity = 0;                        // positions it has room for: block_size, or less

 private:
  ModelConfig config_;
};

// ---- Lesson 13, exercise 1: attention of new queries over cached keys and values ----------
// The past positions 0 … past-1 are cached; n_new new positions past … past+n_new-1 have just
// been appended. q holds the new rows' queries (n_new, hs); k and v hold the keys and values
// of all past+n_new positions ((past+n_new, hs), row-major). Writes out (n_new, hs): row i is
// row past + i of lesson 07's causal attention (scaled scores, causal mask, softmax, weighted
// sum of the values) over all past+n_new positions. Rows of k and v after position
// past+n_new-1 are never read. With past = 0 this is the whole causal attention of lesson 07;
// with n_new = 1 one new token attends over everything before it and itself.
void cached_attention(const float* q, const float* k, const float* v, float* out, int64_t n_new,
                      int64_t past, int64_t hs);

// ---- Lesson 13, exercise 2: one head, then one attention layer, with a cache --------------
// x (1, n, C): the new rows, at positions cache.len … cache.len+n-1. Computes the new rows'
// keys, queries and values with the head's projections, appends the keys and values to the
// cache (len grows by n) and returns the new rows' output (1, n, hs), as head.forward on the
// whole window would compute them for those rows. bg::Error when x is not (1, n, C) or the
// cache has no room for n more rows (the message shows the numbers).
Tensor forward_cached(const Head& head, const Tensor& x, HeadCache& cache);
// Every head with its own cache (caches.size() == number of heads), outputs concatenated;
// a ProjectedAttention (v8+) then applies proj. (1, n, C) -> (1, n, C).
Tensor forward_cached(const MultiHeadAttention& sa, const Tensor& x, std::span<HeadCache> caches);

// engine code: whichever attention a block holds — a list of heads (the overload above, one
// cache per head) or grouped-query attention (lesson 14, bg/grouped_attention.h: one cache per
// key/value head). bg::Error for any other kind.
Tensor forward_cached(const SelfAttention& sa, const Tensor& x, std::span<HeadCache> caches);

// ---- Lesson 13, exercise 3: a block with a cache -----------------------------------------
// The block's forward (plain, residual or prenorm — block.config().kind) on the new rows
// only, its attention reading and extending `caches` (one per head of this layer).
Tensor forward_cached(const Block& block, const Tensor& x, std::span<HeadCache> caches);

// ---- Lesson 13, exercise 4: the whole model, one step ------------------------------------
// Runs the new tokens through the model at positions cache.length() …: embeddings (token +
// the position table's rows at those true positions; v1 has no position table), every
// attention layer with its caches, the feed-forwards, ln_final — then lm_head on the LAST new
// row only. Appends the tokens to cache.tokens. Returns that row's logits, shape (V).
// bg::Error for no tokens, or when the positions would pass block_size (the cache is full:
// the caller must rebuild, see exercise 5).
Tensor forward_cached(const LanguageModel& model, std::span<const int32_t> tokens, KVCache& cache);

// ---- Lesson 13, exercise 5: the window and its slide -------------------------------------
// The logits (V) of the token after `context`: exactly model.forward(crop_context(context,
// block_size)) at its last position, computed from the cache. The window is the last
// min(|context|, block_size) tokens. When the cache holds a beginning of the window (its
// tokens are the window's first cache.length() tokens, and fewer than all of them), only the
// rest is run (forward_cached). Otherwise — the window has slid, or the context is another —
// the cache is cleared and rebuilt from the whole window. That includes a context longer than
// block_size while the cache holds a short prefix of the context: the prefix is compared with
// the window, not with the context's first tokens, so it is rebuilt. On return the cache
// holds exactly the window (cache.tokens == its tokens). bg::Error for an empty context.
Tensor next_logits(const LanguageModel& model, std::span<const int32_t> context, KVCache& cache);

// engine code: bg::generate with a KV cache. The same tokens as bg::generate for the same
// gen (the logits agree to rounding), much faster while the context fits in block_size.
// bg::Error as generate, and when the model is in training mode with dropout on (call
// model.eval() first: a sampler must not drop activations). The cache has room for
// generation_cache_positions(…) positions, not always block_size. `on_token`, when given, is
// called with each new token as soon as it is drawn; when it returns false, generation stops
// there (the result ends with that token).
std::vector<int32_t> generate_cached(const LanguageModel& model, std::vector<int32_t> context,
                                     const SampleOptions& options, Generator& gen,
                                     const std::function<bool(int32_t)>& on_token = {});

// engine code: the positions generate_cached's cache needs for a context of `context_tokens`
// tokens and `new_tokens` more: the longest window next_logits is asked for, the last
// min(block_size, context_tokens + new_tokens - 1) tokens (at least 1).
int64_t generation_cache_positions(const ModelConfig& config, int64_t context_tokens,
                                   int64_t new_tokens);

}  // namespace bg
