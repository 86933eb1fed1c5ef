// Lesson 13's engine code: the caches sized from the model and generate_cached's checks.
// `babygpt sample` with and without the cache (--no-kv-cache) is tested in
// tests/cli/sample_kv_cache_test.cpp.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/kv_cache.h"
#include "bg/models.h"
#include "testing.h"

namespace bg {
namespace {

ModelConfig config(const std::string& model) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = 9;
  c.block_size = 6;
  c.n_embed = 12;
  c.n_head = 3;
  c.n_layer = 2;
  c.dropout = c.has_dropout() ? 0.25f : 0.0f;
  return c;
}

TEST(KVCache, IsSizedFromTheModel) {
  struct Want {
    const char* model;
    size_t layers, heads;
    int64_t head_size;
  };
  for (const Want& w :
       {Want{"v1", 0, 0, 0}, Want{"v2", 0, 0, 0}, Want{"v3", 1, 1, 12}, Want{"v4", 1, 3, 4},
        Want{"v5", 1, 3, 4}, Want{"v6", 2, 3, 4}, Want{"v9", 2, 3, 4}, Want{"v11", 2, 3, 4}}) {
    BG_TRACE(w.model);
    Generator gen(1);
    const auto model = make_model(config(w.model), gen);
    const KVCache cache(*model);
    EXPECT_EQ(cache.capacity, 6);
    EXPECT_EQ(cache.length(), 0);
    ASSERT_EQ(cache.layers.size(), w.layers);
    for (const auto& layer : cache.layers) {
      ASSERT_EQ(layer.size(), w.heads);
      for (const HeadCache& h : layer) {
        EXPECT_EQ(h.head_size, w.head_size);
        EXPECT_EQ(h.capacity, 6);
        EXPECT_EQ(h.len, 0);
        EXPECT_EQ(h.k.size(), static_cast<size_t>(6 * w.head_size));
        EXPECT_EQ(h.v.size(), static_cast<size_t>(6 * w.head_size));
      }
    }
  }
}

// Issue 21: a cache for fewer positions than block_size, for a sampler that knows how long its
// windows grow (generate_cached), holds that many rows per head and nothing more.
TEST(KVCache, CanHoldFewerPositionsThanBlockSize) {
  Generator gen(1);
  const auto model = make_model(config("v9"), gen);
  const KVCache cache(*model, 2);
  EXPECT_EQ(cache.capacity, 2);
  ASSERT_EQ(cache.layers.size(), 2u);
  for (const auto& layer : cache.layers) {
    ASSERT_EQ(layer.size(), 3u);
    for (const HeadCache& h : layer) {
      EXPECT_EQ(h.capacity, 2);
      EXPECT_EQ(h.k.size(), static_cast<size_t>(2 * 4));
      EXPECT_EQ(h.v.size(), static_cast<size_t>(2 * 4));
    }
  }
  EXPECT_EQ(KVCache(*model, 6).capacity, 6);
  EXPECT_BG_ERROR(KVCache(*model, 0), "capacity", "block_size = 6", "got 0");
  EXPECT_BG_ERROR(KVCache(*model, 7), "capacity", "block_size = 6", "got 7");
}

TEST(KVCache, GenerationNeedsTheLongestWindowItSees) {
  const ModelConfig c = config("v8");  // block_size 6
  // A context of n tokens and k new ones: windows of n … n+k-1 tokens, at most block_size.
  EXPECT_EQ(generation_cache_positions(c, 2, 1), 2);
  EXPECT_EQ(generation_cache_positions(c, 2, 3), 4);
  EXPECT_EQ(generation_cache_positions(c, 2, 5), 6);
  EXPECT_EQ(generation_cache_positions(c, 2, 500), 6);
  EXPECT_EQ(generation_cache_positions(c, 40, 1), 6);
  EXPECT_EQ(generation_cache_positions(c, 1, 0), 1);  // nothing drawn: the smallest cache
}

TEST(KVCache, ClearForgetsEveryPosition) {
  Generator gen(2);
  const auto model = make_model(config("v8"), gen);
  KVCache cache(*model);
  cache.tokens = {1, 2, 3};
  for (auto& layer : cache.layers)
    for (HeadCache& h : layer) h.len = 3;
  cache.clear();
  EXPECT_EQ(cache.length(), 0);
  for (auto& layer : cache.layers)
    for (HeadCache& h : layer) EXPECT_EQ(h.len, 0);
  EXPECT_BG_ERROR(HeadCache(0, 4), "positive");
  EXPECT_BG_ERROR(HeadCache(4, -1), "positive", "-1");
}

TEST(KVCache, RefusesAnotherModel) {
  Generator gen(3);
  const auto model = make_model(config("v8"), gen);
  const KVCache cache(*model);
  EXPECT_NO_THROW(cache.check_fits(config("v8")));
  ModelConfig deeper = config("v8");
  deeper.n_layer = 3;
  EXPECT_BG_ERROR(cache.check_fits(deeper), "n_layer 2", "n_layer 3");
  EXPECT_BG_ERROR(cache.check_fits(config("v9")), "v8", "v9");
}

TEST(GenerateCached, RefusesDropoutInTrainingModeAndBadOptions) {
  Generator gen(4);
  const auto model = make_model(config("v10"), gen);  // dropout 0.25, training mode
  SampleOptions o;
  o.max_new_tokens = 3;
  EXPECT_BG_ERROR(generate_cached(*model, {1}, o, gen), "training mode", "eval()");
  model->eval();
  EXPECT_EQ(generate_cached(*model, {1}, o, gen).size(), 4u);
  EXPECT_BG_ERROR(generate_cached(*model, {}, o, gen), "empty");
  o.temperature = 0.0f;
  EXPECT_BG_ERROR(generate_cached(*model, {1}, o, gen), "temperature");
  o.temperature = 1.0f;
  o.top_k = -1;
  EXPECT_BG_ERROR(generate_cached(*model, {1}, o, gen), "top_k");
  // without dropout the mode does not matter
  const auto v9 = make_model(config("v9"), gen);
  o.top_k = 0;
  EXPECT_EQ(generate_cached(*v9, {1, 2}, o, gen).size(), 5u);
}

TEST(GenerateCached, SameTokensAsGenerateForEveryVersionAndRecordsNoGraph) {
  for (int v = 1; v <= 11; ++v) {
    char name_buf[8];
    std::snprintf(name_buf, sizeof name_buf, "v%d", v);
    const std::string name = name_buf;
    BG_TRACE(name);
    Generator init(5);
    const auto model = make_model(config(name), init);
    model->eval();
    SampleOptions o;
    o.max_new_tokens = 20;  // past block_size 6
    Generator g1(6), g2(6);
    const auto plain = generate(*model, {2, 7, 1}, o, g1);
    const auto cached = generate_cached(*model, {2, 7, 1}, o, g2);
    EXPECT_EQ(cached, plain);
    for (const Tensor& p : model->parameters()) EXPECT_FALSE(p.has_grad());
    // Shorter than block_size: the cache is smaller than a full one, the tokens the same.
    for (const int64_t n : {1, 2}) {
      o.max_new_tokens = n;
      Generator g3(8), g4(8);
      EXPECT_EQ(generate_cached(*model, {3}, o, g3), generate(*model, {3}, o, g4));
    }
  }
}

TEST(GenerateCached, ShowsEachTokenAsItIsDrawnAndStopsWhenAsked) {
  Generator init(9);
  const auto model = make_model(config("v9"), init);
  model->eval();
  SampleOptions o;
  o.max_new_tokens = 10;
  Generator g1(3), g2(3), g3(3), g4(3);
  std::vector<int32_t> seen;
  const auto all = generate_cached(*model, {1, 2}, o, g1, [&](int32_t t) {
    seen.push_back(t);
    return true;
  });
  EXPECT_EQ(all, generate_cached(*model, {1, 2}, o, g2));
  EXPECT_EQ(seen, std::vector<int32_t>(all.begin() + 2, all.end()));
  const auto stopped = generate_cached(*model, {1, 2}, o, g3, [&](int32_t) { return false; });
  EXPECT_EQ(stopped, std::vector<int32_t>(all.begin(), all.begin() + 3));
  seen.clear();
  const auto plain = generate_with(*model, {1, 2}, o, g4, own_features, [&](int32_t t) {
    seen.push_back(t);
    return seen.size() < 4;
  });
  EXPECT_EQ(plain, std::vector<int32_t>(all.begin(), all.begin() + 6));
  EXPECT_EQ(seen, std::vector<int32_t>(all.begin() + 2, all.begin() + 6));
}

}  // namespace
}  // namespace bg
