// The training loop's data side (bg/data.h) and the model factory (bg/models.h): engine
// code, tested against the solutions.
#include "bg/data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "bg/autograd.h"
#include "bg/models.h"
#include "bg/nn_ops.h"
#include "testing.h"

namespace bg {
namespace {

std::vector<int32_t> iota_tokens(int32_t n, int32_t modulo) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) t[static_cast<size_t>(i)] = i % modulo;
  return t;
}

ModelConfig config(const char* model, int64_t V = 11, int64_t block = 4, int64_t C = 8,
                   int64_t heads = 2) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = V;
  c.block_size = block;
  c.n_embed = C;
  c.n_head = heads;
  return c;
}

// ---- split_train_val

TEST(SplitTrainVal, FirstNinetyPercentIsTrain) {
  const auto t = iota_tokens(25, 1000);
  const Split s = split_train_val(t);
  ASSERT_EQ(s.train.size(), 22u);  // int(0.9 * 25) = int(22.5)
  ASSERT_EQ(s.val.size(), 3u);
  EXPECT_EQ(s.train.back(), 21);
  EXPECT_EQ(s.val.front(), 22);
  EXPECT_EQ(split_train_val(t, 0.5).train.size(), 12u);
  EXPECT_TRUE(split_train_val(std::vector<int32_t>{}).train.empty());
  EXPECT_BG_ERROR(split_train_val(t, 1.5), "train_fraction");
}

// ---- get_batch

TEST(GetBatch, TargetsAreTheInputsShiftedByOne) {
  const auto data = iota_tokens(100, 1000);  // token = its position
  Generator gen(3);
  const Batch b = get_batch(data, 5, 7, gen);
  EXPECT_EQ(b.B, 5);
  EXPECT_EQ(b.T, 7);
  ASSERT_EQ(b.x.size(), 35u);
  ASSERT_EQ(b.y.size(), 35u);
  for (int64_t r = 0; r < 5; ++r) {
    const int32_t start = b.x[static_cast<size_t>(r * 7)];
    EXPECT_LE(start, 100 - 7 - 1);  // the last window ends at the last token
    for (int64_t t = 0; t < 7; ++t) {
      EXPECT_EQ(b.x[static_cast<size_t>(r * 7 + t)], start + t);      // consecutive
      EXPECT_EQ(b.y[static_cast<size_t>(r * 7 + t)], start + t + 1);  // shifted by one
    }
  }
}

TEST(GetBatch, IsDeterministicForASeedAndUsesRandintOfNMinusT) {
  const auto data = iota_tokens(50, 1000);
  Generator g1(9), g2(9), g3(10), expect(9);
  const Batch a = get_batch(data, 4, 3, g1);
  EXPECT_EQ(a.x, get_batch(data, 4, 3, g2).x);
  EXPECT_NE(a.x, get_batch(data, 4, 3, g3).x);
  for (int64_t r = 0; r < 4; ++r) {
    EXPECT_EQ(a.x[static_cast<size_t>(r * 3)], static_cast<int32_t>(expect.randint(50 - 3)));
  }
}

TEST(GetBatch, EveryStartIsReachable) {
  const auto data = iota_tokens(6, 1000);  // T = 4: starts 0 and 1 only
  Generator gen(1);
  std::set<int32_t> starts;
  for (int i = 0; i < 50; ++i) starts.insert(get_batch(data, 1, 4, gen).x[0]);
  EXPECT_EQ(starts, (std::set<int32_t>{0, 1}));
  const auto exact = iota_tokens(5, 1000);  // exactly T + 1 tokens: one window
  EXPECT_EQ(get_batch(exact, 3, 4, gen).y,
            (std::vector<int32_t>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}));
}

TEST(GetBatch, RejectsDataShorterThanABlock) {
  Generator gen(1);
  const auto data = iota_tokens(8, 1000);
  EXPECT_BG_ERROR(get_batch(data, 2, 8, gen), "corpus shorter than a block", "8 tokens", "9");
  EXPECT_BG_ERROR(get_batch(data, 0, 4, gen), "B = 0");
}

// ---- estimate_loss / evaluate_loss

TEST(EstimateLoss, AveragesRandomBatchesWithoutAGraphAndRestoresTrainMode) {
  Generator init(2);
  auto m = make_model(config("v2"), init);
  const Split s = split_train_val(iota_tokens(200, 11));
  Generator gen(5), copy(5);
  const LossEstimate e = estimate_loss(*m, s, 3, 4, 4, gen);
  EXPECT_TRUE(m->is_training());
  double train = 0, val = 0;
  for (int i = 0; i < 3; ++i) train += model_loss(*m, get_batch(s.train, 4, 4, copy)).item();
  for (int i = 0; i < 3; ++i) val += model_loss(*m, get_batch(s.val, 4, 4, copy)).item();
  EXPECT_NEAR(e.train, train / 3, 1e-6);
  EXPECT_NEAR(e.val, val / 3, 1e-6);
  for (const Tensor& p : m->parameters()) EXPECT_FALSE(p.has_grad());
}

TEST(EvaluateLoss, CutsConsecutiveWindowsAndDropsTheTail) {
  Generator init(2);
  auto m = make_model(config("v2"), init);
  std::vector<int32_t> data{1, 5, 10, 5, 0, 3, 3, 7, 9, 2, 4};  // 11 tokens, T 3: 3 windows
  Batch all;
  all.B = 3;
  all.T = 3;
  all.x = {1, 5, 10, 5, 0, 3, 3, 7, 9};
  all.y = {5, 10, 5, 0, 3, 3, 7, 9, 2};
  const double expected = model_loss(*m, all).item();
  EXPECT_NEAR(evaluate_loss(*m, data, 3), expected, 1e-6);
  EXPECT_NEAR(evaluate_loss(*m, data, 3, 2), expected, 1e-6);  // 2 + 1 windows per step
  EXPECT_NEAR(evaluate_loss(*m, data, 3, 1), expected, 1e-6);
  data.push_back(8);  // 12 tokens: still 3 windows, the new token is in the dropped tail
  EXPECT_NEAR(evaluate_loss(*m, data, 3), expected, 1e-6);
  data.push_back(8);  // 13 tokens: a 4th window
  EXPECT_GT(std::abs(evaluate_loss(*m, data, 3) - expected), 1e-6);
  EXPECT_BG_ERROR(evaluate_loss(*m, std::vector<int32_t>{1, 2, 3}, 3), "shorter than a block");
}

// ---- generate

TEST(Generate, IsDeterministicForASeed) {
  Generator init(2);
  auto m = make_model(config("v1"), init);
  SampleOptions o;
  o.max_new_tokens = 30;
  Generator g1(8), g2(8), g3(9);
  const auto a = generate(*m, {1, 2}, o, g1);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, generate(*m, {1, 2}, o, g2));
  EXPECT_NE(a, generate(*m, {1, 2}, o, g3));
}

// The index of the largest logit of the bigram model after token t.
int32_t argmax_after(const LanguageModel& m, int32_t t) {
  NoGradGuard g;
  const std::vector<int32_t> one{t};
  Tensor y = m.forward(one, 1, 1);
  const auto d = y.data();
  return static_cast<int32_t>(std::max_element(d.begin(), d.end()) - d.begin());
}

TEST(Generate, TopKOneIsGreedyAndTopKRestrictsTheChoice) {
  Generator init(2);
  auto m = make_model(config("v1"), init);
  SampleOptions o;
  o.max_new_tokens = 20;
  o.top_k = 1;
  Generator gen(1);
  const auto greedy = generate(*m, {4}, o, gen);
  for (size_t i = 1; i < greedy.size(); ++i) EXPECT_EQ(greedy[i], argmax_after(*m, greedy[i - 1]));
  // a very low temperature is greedy too
  o.top_k = 0;
  o.temperature = 1e-3f;
  EXPECT_EQ(generate(*m, {4}, o, gen), greedy);
  // top_k = 3: each token is among the 3 largest logits after the previous one
  o.temperature = 1.0f;
  o.top_k = 3;
  o.max_new_tokens = 200;
  const auto s = generate(*m, {4}, o, gen);
  std::set<int32_t> seen;
  for (size_t i = 1; i < s.size(); ++i) {
    const std::vector<int32_t> one{s[i - 1]};
    Tensor y = m->forward(one, 1, 1);
    int above = 0;
    for (float v : y.data()) above += v > y.data()[static_cast<size_t>(s[i])];
    EXPECT_LT(above, 3);
    seen.insert(s[i]);
  }
  EXPECT_GT(seen.size(), 3u);  // it does sample, not just take the maximum
}

TEST(Generate, CropsTheContextToTheBlock) {
  Generator init(2);
  auto m = make_model(config("v2", 11, 4), init);
  SampleOptions o;
  o.max_new_tokens = 12;  // the sequence grows far beyond block_size 4
  Generator g1(3), g2(3);
  const auto long_ctx = generate(*m, {1, 2, 3, 4, 5, 6, 7, 8, 9}, o, g1);
  EXPECT_EQ(long_ctx.size(), 21u);
  // only the last 4 tokens of the context matter
  const auto short_ctx = generate(*m, {6, 7, 8, 9}, o, g2);
  EXPECT_TRUE(std::equal(short_ctx.begin() + 4, short_ctx.end(), long_ctx.begin() + 9));
}

TEST(Generate, RejectsBadOptions) {
  Generator init(2), gen(1);
  auto m = make_model(config("v1"), init);
  SampleOptions o;
  EXPECT_BG_ERROR(generate(*m, {}, o, gen), "context is empty");
  o.temperature = 0.0f;
  EXPECT_BG_ERROR(generate(*m, {1}, o, gen), "temperature");
  o.temperature = 1.0f;
  o.top_k = -1;
  EXPECT_BG_ERROR(generate(*m, {1}, o, gen), "top_k");
  o.top_k = 0;
  EXPECT_BG_ERROR(generate(*m, {11}, o, gen), "id 11");
}

// ---- models

TEST(ModelConfig, ValidatesWithClearMessages) {
  EXPECT_NO_THROW(config("v1").validate());
  EXPECT_BG_ERROR(config("v99").validate(), "unknown model 'v99'", "v11");
  EXPECT_BG_ERROR(config("v1", 0).validate(), "vocab_size", "0");
  EXPECT_BG_ERROR(config("v2", 11, -1).validate(), "block_size", "-1");
  EXPECT_BG_ERROR(config("v4", 11, 4, 30, 4).validate(), "n_embed 30", "n_head 4");
  EXPECT_BG_ERROR(config("v4", 11, 4, 8, 0).validate(), "n_head", "0");
  EXPECT_BG_ERROR(make_model(config("v4", 11, 4, 30, 4)), "not divisible");
}

TEST(MakeModel, BuildsV1AndV2WithPyTorchsParameterNames) {
  auto names = [](const LanguageModel& m) {
    std::vector<std::string> out;
    for (const auto& [n, p] : m.named_parameters()) out.push_back(n);
    return out;
  };
  auto v1 = make_model(config("v1", 11, 4, 8));
  EXPECT_EQ(names(*v1), (std::vector<std::string>{"token_embedding_table.weight", "lm_head.weight",
                                                  "lm_head.bias"}));
  EXPECT_EQ(v1->num_parameters(), 11 * 8 + 8 * 11 + 11);
  auto v2 = make_model(config("v2", 11, 4, 8));
  EXPECT_EQ(names(*v2), (std::vector<std::string>{"token_embedding_table.weight",
                                                  "position_embedding_table.weight",
                                                  "lm_head.weight", "lm_head.bias"}));
  EXPECT_EQ(v2->named_parameters()[1].second.shape(), (Shape{4, 8}));
  EXPECT_TRUE(v2->attention_maps(std::vector<int32_t>{1, 2}, 2).empty());
  // the same seed gives the same model
  Generator g1(5), g2(5);
  EXPECT_EQ(make_model(config("v2"), g1)->parameters()[0].tolist(),
            make_model(config("v2"), g2)->parameters()[0].tolist());
}

TEST(MakeModel, BuildsV3AndV4WithPyTorchsParameterNames) {
  auto names = [](const LanguageModel& m) {
    std::vector<std::string> out;
    for (const auto& [n, p] : m.named_parameters()) out.push_back(n);
    return out;
  };
  auto v3 = make_model(config("v3", 11, 4, 8));
  EXPECT_EQ(names(*v3), (std::vector<std::string>{
                            "token_embedding_table.weight", "position_embedding_table.weight",
                            "sa_head.key.weight", "sa_head.query.weight", "sa_head.value.weight",
                            "lm_head.weight", "lm_head.bias"}));
  EXPECT_EQ(v3->named_parameters()[2].second.shape(), (Shape{8, 8}));  // one head of size C
  auto v4 = make_model(config("v4", 11, 4, 8, 4));
  const auto n4 = names(*v4);
  ASSERT_EQ(n4.size(), 2u + 12u + 2u);
  EXPECT_EQ(n4[2], "sa_heads.heads.0.key.weight");
  EXPECT_EQ(n4[13], "sa_heads.heads.3.value.weight");
  EXPECT_EQ(n4[14], "lm_head.weight");
  EXPECT_EQ(v4->named_parameters()[2].second.shape(), (Shape{2, 8}));  // head_size C / n_head
  // the same parameter count as v3: splitting into heads costs nothing
  EXPECT_EQ(v4->num_parameters(), v3->num_parameters() - 3 * 8 * 8 + 4 * 3 * 2 * 8);
  const std::vector<int32_t> five{1, 2, 3, 4, 5};
  EXPECT_BG_ERROR(v4->forward(five, 1, 5), "T = 5", "block_size 4");
  EXPECT_EQ(v4->attention_maps(std::span(five).first(4), 4).size(), 4u);
}

}  // namespace
}  // namespace bg
