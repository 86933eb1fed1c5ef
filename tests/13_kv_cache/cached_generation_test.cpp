// Lesson 13, exercises 4-5: the whole model with a KV cache, and the sliding window
// (bg/kv_cache.h). The reference is the uncached model on the cropped context — what
// bg::generate feeds it — whose last row of logits the cached path must reproduce (1e-5) at
// every step, including far past block_size.
//   exercise 4: ctest -L lesson13 -R CachedModel
//   exercise 5: ctest -L lesson13 -R SlidingWindow
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/data.h"
#include "bg/kv_cache.h"
#include "bg/models.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;

constexpr int64_t kVocab = 11;
constexpr int64_t kBlock = 5;

// A tiny model of version `model` with random weights, in eval mode: vocabulary 11, block 5,
// n_embed 8, 2 heads, 2 layers; v10 and v11 with dropout 0.2 (off in eval mode).
std::unique_ptr<LanguageModel> tiny(const std::string& model, uint64_t seed = 1) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = kVocab;
  c.block_size = kBlock;
  c.n_embed = 8;
  c.n_head = 2;
  c.n_layer = 2;
  c.dropout = c.has_dropout() ? 0.2f : 0.0f;
  Generator gen(seed);
  auto m = make_model(c, gen);
  // LayerNorms start as the identity map's weights (1, 0): give them other values so that a
  // norm used in the wrong place shows.
  for (auto& [name, p] : m->named_parameters()) {
    if (name.find("ln") != std::string::npos) {
      for (float& w : p.data()) w = gen.uniform(-1.5f, 1.5f);
    }
  }
  m->eval();
  return m;
}

// The uncached logits of the token after `context`: the model on the last block_size tokens
// (positions 0 … T-1), last row. Exactly what bg::generate computes.
std::vector<float> uncached(const LanguageModel& model, std::span<const int32_t> context) {
  NoGradGuard no_grad;
  const std::vector<int32_t> idx = crop_context(context, model.config().block_size);
  const auto T = static_cast<int64_t>(idx.size());
  return narrow(model.forward(idx, 1, T), 1, T - 1, 1).tolist();
}

// n pseudo-random tokens.
std::vector<int32_t> some_tokens(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<int32_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int32_t>(gen.randint(kVocab)));
  return t;
}

const std::vector<std::string> kAllVersions = {"v1", "v2", "v3", "v4",  "v5", "v6",
                                               "v7", "v8", "v9", "v10", "v11"};

// ============================================================ exercise 4: the whole model

TEST(CachedModel, EveryVersionMatchesTheUncachedModelAtEveryPosition) {
  // One token at a time up to block_size: the logits after token t come from position t —
  // a position off by one (or always 0) changes them, and so do keys kept from the wrong
  // layer or a norm in the wrong place.
  const std::vector<int32_t> tokens = some_tokens(kBlock, 7);
  for (const std::string& v : kAllVersions) {
    BG_TRACE(v);
    const auto model = tiny(v);
    KVCache cache(*model);
    for (int64_t t = 0; t < kBlock; ++t) {
      BG_TRACE("position " + std::to_string(t));
      const Tensor logits = forward_cached(*model, std::span(tokens).subspan(t, 1), cache);
      ASSERT_EQ(logits.shape(), (Shape{kVocab}));
      EXPECT_TRUE(AllClose(logits, uncached(*model, std::span(tokens).first(t + 1))));
      EXPECT_EQ(cache.length(), t + 1);
    }
  }
}

TEST(CachedModel, APrefillOfSeveralTokensThenSteps) {
  const std::vector<int32_t> tokens = some_tokens(kBlock, 8);
  for (const char* v : {"v3", "v4", "v8", "v9", "v10"}) {
    BG_TRACE(v);
    const auto model = tiny(v, 2);
    KVCache cache(*model);
    const std::span<const int32_t> all(tokens);
    EXPECT_TRUE(
        AllClose(forward_cached(*model, all.first(3), cache), uncached(*model, all.first(3))));
    EXPECT_TRUE(
        AllClose(forward_cached(*model, all.subspan(3, 1), cache), uncached(*model, all.first(4))));
    EXPECT_TRUE(
        AllClose(forward_cached(*model, all.subspan(4, 1), cache), uncached(*model, all.first(5))));
    EXPECT_EQ(cache.tokens, tokens);
  }
}

TEST(CachedModel, EachLayerKeepsItsOwnKeysAndValues) {
  // v8, 2 layers: layer 0's heads see the embeddings, layer 1's the output of block 0.
  const auto model = tiny("v8", 3);
  const auto& gpt = dynamic_cast<const GPT&>(*model);
  const std::vector<int32_t> tokens = some_tokens(4, 9);
  KVCache cache(*model);
  (void)forward_cached(*model, std::span(tokens).first(2), cache);
  (void)forward_cached(*model, std::span(tokens).subspan(2, 2), cache);
  NoGradGuard no_grad;
  const Tensor x0 = gpt.embed(tokens, 1, 4);             // block 0's input
  const Tensor x1 = gpt.blocks->blocks[0]->forward(x0);  // block 1's input
  for (int64_t l = 0; l < 2; ++l) {
    const Tensor& x = l == 0 ? x0 : x1;
    const Block& block = *gpt.blocks->blocks[static_cast<size_t>(l)];
    for (size_t h = 0; h < 2; ++h) {
      BG_TRACE("layer " + std::to_string(l) + ", head " + std::to_string(h));
      const HeadCache& c = cache.layers[static_cast<size_t>(l)][h];
      EXPECT_EQ(c.len, 4);
      const Head& head = *dynamic_cast<const MultiHeadAttention&>(*block.sa).heads[h];
      EXPECT_TRUE(AllClose(narrow(tensor(c.k, {1, kBlock, 4}), 1, 0, 4), head.key(x)));
      EXPECT_TRUE(AllClose(narrow(tensor(c.v, {1, kBlock, 4}), 1, 0, 4), head.value(x)));
    }
  }
}

// The contract (exercises/13_kv_cache/cached_model.cpp): a bg::Error "the cache is full" when
// the new tokens would pass block_size, a bg::Error for no tokens, and cache.check_fits (whose
// message names both models) for another model's cache.
TEST(CachedModel, RefusesAFullCacheAndAnotherModelsCache) {
  const auto model = tiny("v4");
  KVCache cache(*model);
  const std::vector<int32_t> tokens = some_tokens(kBlock + 1, 10);
  (void)forward_cached(*model, std::span(tokens).first(kBlock), cache);
  {
    BG_TRACE("a 6th token in a cache of block_size 5 must be refused: \"the cache is full\"");
    EXPECT_BG_ERROR(forward_cached(*model, std::span(tokens).subspan(kBlock, 1), cache), "full");
    EXPECT_EQ(cache.length(), kBlock) << "a refused call must leave the cache as it was";
  }
  {
    BG_TRACE("no tokens at all must be refused with a bg::Error");
    KVCache fresh(*model);
    EXPECT_BG_ERROR(forward_cached(*model, std::span<const int32_t>(), fresh));
  }
  {
    BG_TRACE("a cache made for a v8 must be refused by a v4 (call cache.check_fits first)");
    const auto other = tiny("v8");
    KVCache wrong(*other);
    EXPECT_BG_ERROR(forward_cached(*model, std::span(tokens).first(1), wrong), "v8", "v4");
  }
}

// Sampling needs no gradients: forward_cached holds a NoGradGuard, so even when the caller
// records (the model's parameters require grad) the logits are a plain tensor, no graph
// keeps the step's activations alive.
// Catches: a forgotten NoGradGuard.
TEST(CachedModel, RecordsNoGraph) {
  for (const char* v : {"v1", "v4", "v9"}) {
    BG_TRACE(v);
    const auto model = tiny(v);
    ASSERT_TRUE(model->parameters().front().requires_grad());
    ASSERT_TRUE(grad_enabled());
    KVCache cache(*model);
    const std::vector<int32_t> tokens = some_tokens(3, 14);
    const Tensor prefill = forward_cached(*model, std::span(tokens).first(2), cache);
    EXPECT_FALSE(prefill.requires_grad());
    EXPECT_TRUE(prefill.is_leaf());
    const Tensor step = next_logits(*model, tokens, cache);
    EXPECT_FALSE(step.requires_grad());
    EXPECT_TRUE(grad_enabled()) << "the guard must end with the call";
  }
}

// ============================================================ exercise 5: the sliding window

// Grows a context from a one-token prompt to `length` tokens (a fixed sequence), asking
// next_logits for every prefix with one cache, and compares with the uncached model.
void expect_cached_equals_uncached(const LanguageModel& model, int64_t length, uint64_t seed) {
  const std::vector<int32_t> tokens = some_tokens(length, seed);
  KVCache cache(model);
  for (int64_t L = 1; L <= length; ++L) {
    BG_TRACE("context of " + std::to_string(L) + " tokens");
    const std::span<const int32_t> context = std::span(tokens).first(static_cast<size_t>(L));
    const Tensor logits = next_logits(model, context, cache);
    ASSERT_EQ(logits.shape(), (Shape{kVocab}));
    ASSERT_TRUE(AllClose(logits, uncached(model, context)));
    ASSERT_EQ(cache.length(), std::min(L, kBlock));
  }
}

TEST(SlidingWindow, LogitsEqualTheUncachedModelWellPastBlockSize) {
  // 4 x block_size: the window slides 15 times. Keeping the cache after the slide (rolling
  // it, or re-using the old positions), cropping one token too many or too few, or sliding a
  // step early or late, all change some step's logits.
  for (const char* v : {"v4", "v5", "v8", "v9", "v10"}) {
    BG_TRACE(v);
    expect_cached_equals_uncached(*tiny(v, 4), 4 * kBlock, 11);
  }
}

TEST(SlidingWindow, EveryVersion) {
  for (const std::string& v : kAllVersions) {
    BG_TRACE(v);
    expect_cached_equals_uncached(*tiny(v, 5), 3 * kBlock, 12);
  }
}

TEST(SlidingWindow, ReusesTheCacheWhileTheWindowGrowsAndRebuildsItAfterTheSlide) {
  // Poison a cached key of position 0 after the first step. While the window grows, the
  // cached path must READ it (that is the whole point of the cache), so the logits go wrong;
  // after the slide the cache must be rebuilt, so they are right again.
  const auto model = tiny("v9", 6);
  const std::vector<int32_t> tokens = some_tokens(kBlock + 1, 13);
  const std::span<const int32_t> all(tokens);
  KVCache cache(*model);
  (void)next_logits(*model, all.first(1), cache);
  for (auto& layer : cache.layers)
    for (HeadCache& head : layer) head.k[0] += 100.0f;
  for (int64_t L = 2; L <= kBlock; ++L) {
    EXPECT_FALSE(AllClose(next_logits(*model, all.first(L), cache), uncached(*model, all.first(L))))
        << "context of " << L << " tokens: the cache was recomputed instead of reused";
  }
  EXPECT_TRUE(AllClose(next_logits(*model, all, cache), uncached(*model, all)))
      << "after the slide the old keys are still in use";
}

// The context jumps past block_size while the cache holds only a short prefix. The cache is
// reusable only when its tokens are the first tokens of the WINDOW (the last block_size tokens
// of the context), which sit at positions 0, 1, …; the first tokens of the CONTEXT sit there
// only while the context fits in the window. Comparing the cache with the context's start
// reuses keys computed for other tokens and runs the rest of the window at the wrong
// positions. The reference is the uncached model on the cropped context.
TEST(SlidingWindow, APrefixOfTheContextIsNotAPrefixOfTheWindowOnceItSlid) {
  const auto model = tiny("v9", 9);
  const std::vector<int32_t> context = {1, 2, 3, 4, 5, 6, 7};  // 7 tokens, block_size 5
  const std::span<const int32_t> all(context);
  const std::span<const int32_t> window = all.last(kBlock);  // 3 4 5 6 7
  ASSERT_FALSE(std::equal(window.begin(), window.begin() + 2, all.begin()))
      << "the test needs a context whose start differs from its window's start";
  {
    BG_TRACE(
        "the cache holds the context's first 2 tokens (1 2), not the window's (3 4): next_logits "
        "must compare the cache with the window (the last block_size tokens) and rebuild");
    KVCache cache(*model);
    (void)next_logits(*model, all.first(2), cache);
    ASSERT_EQ(cache.length(), 2);
    EXPECT_TRUE(AllClose(next_logits(*model, all, cache), uncached(*model, all)));
    EXPECT_EQ(cache.tokens, std::vector<int32_t>(window.begin(), window.end()))
        << "after the call the cache must hold the window, at positions 0 … block_size-1";
  }
  {
    BG_TRACE(
        "the cache holds the window's first 2 tokens (3 4): they may be reused, and the logits "
        "must still equal the uncached model's on the cropped context");
    KVCache cache(*model);
    (void)next_logits(*model, window.first(2), cache);
    EXPECT_TRUE(AllClose(next_logits(*model, all, cache), uncached(*model, all)));
    EXPECT_EQ(cache.tokens, std::vector<int32_t>(window.begin(), window.end()));
  }
}

TEST(SlidingWindow, AnotherContextStartsAgain) {
  const auto model = tiny("v8", 7);
  KVCache cache(*model);
  const std::vector<int32_t> a = {1, 2, 3}, b = {4, 2, 3, 5};
  (void)next_logits(*model, a, cache);
  EXPECT_TRUE(AllClose(next_logits(*model, b, cache), uncached(*model, b)));
  // the same context twice: nothing new to append, the logits are still right
  EXPECT_TRUE(AllClose(next_logits(*model, b, cache), uncached(*model, b)));
  EXPECT_BG_ERROR(next_logits(*model, std::span<const int32_t>(), cache), "empty");
}

TEST(SlidingWindow, GenerateCachedWritesTheSameTextAsGenerate) {
  // The same seed gives the same tokens: 3 x block_size new tokens from a 2-token prompt,
  // with temperature and top-k, for the versions the course trains.
  for (const char* v : {"v4", "v5", "v8", "v9", "v10"}) {
    BG_TRACE(v);
    const auto model = tiny(v, 8);
    SampleOptions o;
    o.max_new_tokens = 3 * kBlock;
    o.temperature = 0.9f;
    o.top_k = 6;
    Generator g1(21), g2(21);
    const std::vector<int32_t> plain = generate(*model, {3, 1}, o, g1);
    const std::vector<int32_t> cached = generate_cached(*model, {3, 1}, o, g2);
    EXPECT_EQ(cached, plain);
    EXPECT_EQ(cached.size(), 2u + 3 * kBlock);
  }
}

}  // namespace
}  // namespace bg
