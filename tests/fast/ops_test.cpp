// The fast engine's coarse ops (bg/fast/ops.h) and the fast engine built on them
// (bg/fast/fast_model.h) compute what the lessons' modules compute: the same outputs, the
// same gradients for every parameter, the same dropout masks, for every model version that
// has a fast path. The lessons' modules are checked against PyTorch in each lesson's tests;
// these tests tie the fast engine to them (1e-5), and check each coarse op on its own with
// finite differences.
#include "bg/fast/ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/data.h"
#include "bg/fast/fast_model.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;
using fast::attention;
using fast::linear_dropout;
using fast::linear_relu;

// ------------------------------------------------------------------ Generator::advance

TEST(GeneratorAdvance, SkipsExactlyNDraws) {
  for (uint64_t n : {0ULL, 1ULL, 2ULL, 7ULL, 64ULL, 1000ULL, 12345ULL}) {
    Generator stepped(42), jumped(42);
    for (uint64_t i = 0; i < n; ++i) stepped.next_u32();
    jumped.advance(n);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(jumped.next_u32(), stepped.next_u32()) << "n = " << n;
  }
}

TEST(GeneratorAdvance, JumpsCompose) {
  // a jump far beyond what a loop could check equals two jumps that add up to it
  Generator once(7), twice(7);
  once.advance(5'000'000'000'123ULL);
  twice.advance(5'000'000'000'000ULL);
  twice.advance(123);
  EXPECT_EQ(once.next_u32(), twice.next_u32());
}

TEST(GeneratorDraws, ManyAtOnceAreTheDrawsOneAtATime) {
  // next_u32s interleaves four copies of the stream; the lengths cover no whole step of
  // four, whole steps only, and whole steps plus each possible remainder
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{6}, size_t{7},
                   size_t{256}, size_t{1001}}) {
    Generator one(9), many(9);
    std::vector<uint32_t> got(n);
    many.next_u32s(got.data(), n);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], one.next_u32()) << "draw " << i << " of " << n;
    EXPECT_EQ(many.next_u32(), one.next_u32()) << "the generator after " << n << " draws";
  }
}

TEST(GeneratorDraws, DropoutFactorsFollowUniform) {
  // each factor is 0 exactly where uniform() < p, else 1 / (1 - p), over 1000 draws
  Generator g(3), u(3);
  std::vector<float> factor(1000);
  dropout_factors(g, 0.3f, factor.data(), factor.size());
  for (size_t i = 0; i < factor.size(); ++i)
    ASSERT_EQ(factor[i], u.uniform() < 0.3f ? 0.0f : 1.0f / 0.7f) << "element " << i;
  EXPECT_EQ(g.next_u32(), u.next_u32());
}

// ------------------------------------------------------------------ attention

// A list of heads with the weights drawn from a seed, and an input.
struct AttentionCase {
  MultiHeadAttention mha;
  Tensor x;
  AttentionCase(int64_t B, int64_t T, int64_t C, int64_t nh, int64_t block)
      : mha(C, nh, block, gen()), x(randn({B, T, C}, gen()).requires_grad_()) {}
  static Generator& gen() {
    static Generator g(2024);
    return g;
  }
};

// The lesson's list of heads and the fast attention op on the same weights, seed and input: the
// outputs, the input's gradient and every head's weight gradients agree.
void ExpectSameAsTheListOfHeads(int64_t B, int64_t T, int64_t C, int64_t nh, float p) {
  AttentionCase c(B, T, C, nh, /*block=*/std::max<int64_t>(T, 8));
  for (auto& head : c.mha.heads) head->drop.set_p(p);
  const Tensor g = randn({B, T, C}, AttentionCase::gen());
  auto run = [&](bool fast) {
    c.x.zero_grad();
    for (Tensor& w : c.mha.parameters()) w.zero_grad();
    manual_seed(99);
    const Tensor y = fast ? attention(c.x, c.mha) : c.mha.forward(c.x);
    y.backward(g);
    std::vector<Tensor> out{y.detach(), c.x.grad()};
    for (const Tensor& w : c.mha.parameters()) out.push_back(w.grad());
    out.push_back(scalar(static_cast<float>(default_generator().next_u32() >> 8)));
    return out;
  };
  const std::vector<Tensor> lesson = run(false), fast = run(true);
  const char* names[] = {"output", "dL/dx"};
  for (size_t i = 0; i + 1 < lesson.size(); ++i) {
    EXPECT_TRUE(AllClose(fast[i], lesson[i], 1e-5, 1e-4))
        << (i < 2 ? names[i] : "a weight's gradient, parameter " + std::to_string(i - 2)) << ", B "
        << B << " T " << T << " C " << C << " heads " << nh << " dropout " << p;
  }
  // the generator moved past exactly the draws the list of heads made
  EXPECT_EQ(fast.back().item(), lesson.back().item()) << "next draw after the attention";
}

TEST(FastAttention, MatchesTheListOfHeads) {
  ExpectSameAsTheListOfHeads(2, 5, 12, 3, 0.0f);
  ExpectSameAsTheListOfHeads(3, 8, 16, 4, 0.0f);  // T == block_size
  ExpectSameAsTheListOfHeads(2, 1, 8, 2, 0.0f);   // one position
  ExpectSameAsTheListOfHeads(1, 7, 6, 1, 0.0f);   // one head
}

// The op computes the causal products in blocks of rows and skips the blocks above the
// diagonal; 70 positions are two whole blocks and a partial one.
TEST(FastAttention, MatchesTheListOfHeadsOverSeveralCausalBlocks) {
  ExpectSameAsTheListOfHeads(2, 70, 12, 3, 0.0f);
  ExpectSameAsTheListOfHeads(2, 70, 12, 3, 0.3f);
}

TEST(FastAttention, DropsTheSameWeightsAsTheListOfHeads) {
  ExpectSameAsTheListOfHeads(2, 5, 12, 3, 0.3f);
  ExpectSameAsTheListOfHeads(3, 8, 16, 4, 0.5f);
}

TEST(FastAttention, InEvalModeNothingIsDroppedOrDrawn) {
  AttentionCase c(2, 6, 8, 2, 8);
  for (auto& head : c.mha.heads) head->drop.set_p(0.5f);
  c.mha.eval();
  manual_seed(5);
  const Tensor fast = attention(c.x, c.mha);
  const uint32_t next = default_generator().next_u32();
  for (auto& head : c.mha.heads) head->drop.set_p(0.0f);
  EXPECT_TRUE(AllClose(fast, c.mha.forward(c.x)));
  EXPECT_EQ(next, Generator(5).next_u32());
}

TEST(FastAttention, GradientsMatchFiniteDifferences) {
  AttentionCase c(2, 4, 6, 2, 8);
  std::vector<Tensor> inputs{c.x};
  for (const Tensor& w : c.mha.parameters()) inputs.push_back(w);
  EXPECT_TRUE(GradOk(
      "attention", [&](const std::vector<Tensor>& in) { return attention(in[0], c.mha); }, inputs));
}

TEST(FastAttention, GradientsMatchFiniteDifferencesWithDropout) {
  AttentionCase c(2, 4, 6, 2, 8);
  for (auto& head : c.mha.heads) head->drop.set_p(0.25f);
  std::vector<Tensor> inputs{c.x};
  for (const Tensor& w : c.mha.parameters()) inputs.push_back(w);
  // the same masks on every evaluation: the seed is set inside f
  EXPECT_TRUE(GradOk(
      "attention with dropout",
      [&](const std::vector<Tensor>& in) {
        manual_seed(3);
        return attention(in[0], c.mha);
      },
      inputs));
}

TEST(FastAttention, InputsThatDoNotRequireGradGetNone) {
  AttentionCase c(1, 3, 4, 2, 8);
  const Tensor x = c.x.detach();
  c.mha.heads[1]->key.weight.requires_grad_(false);
  attention(x, c.mha).backward(ones({1, 3, 4}));
  EXPECT_FALSE(x.has_grad());
  EXPECT_FALSE(c.mha.heads[1]->key.weight.has_grad());
  EXPECT_TRUE(c.mha.heads[1]->query.weight.has_grad());
  EXPECT_TRUE(c.mha.heads[0]->key.weight.has_grad());
}

TEST(FastAttention, BadShapesAreNamed) {
  AttentionCase c(1, 3, 4, 2, 8);
  EXPECT_BG_ERROR(attention(zeros({2, 3, 5}), c.mha), "attention", "[2, 3, 5]");
  EXPECT_BG_ERROR(attention(zeros({2, 9, 4}), c.mha), "block_size 8", "[2, 9, 4]");
  EXPECT_BG_ERROR(attention(zeros({3, 4}), c.mha), "[3, 4]");
}

// ------------------------------------------------------------------ linear_relu

TEST(LinearRelu, MatchesReluOfLinear) {
  Generator gen(11);
  Linear lin(5, 7, true, gen);
  Tensor x = randn({2, 3, 5}, gen).requires_grad_();
  const Tensor g = randn({2, 3, 7}, gen);
  const Tensor fast = linear_relu(x, lin);
  fast.backward(g);
  const std::vector<Tensor> fast_grads{x.grad(), lin.weight.grad(), lin.bias.grad()};
  x.zero_grad();
  lin.weight.zero_grad();
  lin.bias.zero_grad();
  const Tensor lesson = relu(lin(x));
  lesson.backward(g);
  EXPECT_TRUE(AllClose(fast, lesson));
  EXPECT_TRUE(AllClose(fast_grads[0], x.grad()));
  EXPECT_TRUE(AllClose(fast_grads[1], lin.weight.grad()));
  EXPECT_TRUE(AllClose(fast_grads[2], lin.bias.grad()));
}

TEST(LinearRelu, GradientsMatchFiniteDifferences) {
  Generator gen(12);
  Linear lin(4, 3, true, gen);
  const Tensor x = randn({5, 4}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("linear_relu",
                     [&](const std::vector<Tensor>& in) { return linear_relu(in[0], lin); },
                     {x, lin.weight, lin.bias}));
}

TEST(LinearRelu, BadInputsAreNamed) {
  Generator gen(13);
  Linear lin(4, 3, true, gen), no_bias(4, 3, false, gen);
  EXPECT_BG_ERROR(linear_relu(zeros({2, 5}), lin), "linear_relu", "[2, 5]");
  EXPECT_BG_ERROR(linear_relu(zeros({2, 4}), no_bias), "bias");
}

// ------------------------------------------------------------------ linear_dropout

TEST(LinearDropout, MatchesDropoutOfLinearWithTheSameMask) {
  Generator gen(14);
  Linear lin(6, 5, true, gen);
  Dropout drop(0.4f);
  Tensor x = randn({3, 4, 6}, gen).requires_grad_();
  const Tensor g = randn({3, 4, 5}, gen);
  manual_seed(21);
  const Tensor fast = linear_dropout(x, lin, drop);
  fast.backward(g);
  const uint32_t next_fast = default_generator().next_u32();
  const std::vector<Tensor> fast_grads{x.grad(), lin.weight.grad(), lin.bias.grad()};
  x.zero_grad();
  lin.weight.zero_grad();
  lin.bias.zero_grad();
  manual_seed(21);
  const Tensor lesson = drop(lin(x));
  lesson.backward(g);
  EXPECT_EQ(next_fast, default_generator().next_u32()) << "one draw per output element";
  EXPECT_TRUE(AllClose(fast, lesson));
  EXPECT_TRUE(AllClose(fast_grads[0], x.grad()));
  EXPECT_TRUE(AllClose(fast_grads[1], lin.weight.grad()));
  EXPECT_TRUE(AllClose(fast_grads[2], lin.bias.grad()));
}

TEST(LinearDropout, GradientsMatchFiniteDifferences) {
  Generator gen(15);
  Linear lin(4, 3, true, gen);
  Dropout drop(0.3f);
  const Tensor x = randn({5, 4}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("linear_dropout",
                     [&](const std::vector<Tensor>& in) {
                       manual_seed(8);  // the same mask on every evaluation
                       return linear_dropout(in[0], lin, drop);
                     },
                     {x, lin.weight, lin.bias}));
}

TEST(LinearDropout, InEvalModeItIsTheLinear) {
  Generator gen(16);
  Linear lin(4, 3, true, gen);
  Dropout drop(0.5f);
  drop.eval();
  const Tensor x = randn({2, 4}, gen);
  manual_seed(4);
  EXPECT_TRUE(AllClose(linear_dropout(x, lin, drop), lin(x)));
  EXPECT_EQ(default_generator().next_u32(), Generator(4).next_u32()) << "nothing drawn";
  EXPECT_BG_ERROR(linear_dropout(zeros({2, 5}), lin, Dropout(0.5f)), "linear_dropout", "[2, 5]");
}

// ------------------------------------------------------------------ whole models

// A small model of version v, its weights drawn from a fixed seed, and one batch.
struct ModelCase {
  ModelConfig config;
  std::unique_ptr<LanguageModel> model;
  Batch batch;
  explicit ModelCase(int v) {
    config.model = "v" + std::to_string(v);
    config.vocab_size = 13;
    config.block_size = 6;
    config.n_embed = 12;
    config.n_head = 3;
    config.n_layer = 2;
    config.dropout = v >= 10 ? 0.2f : 0.0f;
    Generator gen(31);
    model = make_model(config, gen);
    const std::vector<int32_t> text{1, 5, 2, 9, 0, 3, 12, 7, 4, 4, 8, 6, 11, 10, 2};
    batch = get_batch(text, 3, 6, gen);
  }
};

// Every model version that has attention: one training step's loss and every parameter's
// gradient from the fast engine equal those of the model's own forward, dropout (v10+)
// included, and both leave the dropout generator at the same place.
TEST(FastEngine, EveryModelVersionGivesTheLessonsNumbers) {
  for (int v = 4; v <= 11; ++v) {
    ModelCase c(v);
    LanguageModel& model = *c.model;
    EXPECT_TRUE(fast::has_fast_path(model)) << c.config.model;
    auto run = [&](bool fast) {
      for (Tensor& p : model.parameters()) p.zero_grad();
      manual_seed(77);
      const Tensor loss = fast ? fast::loss(model, c.batch) : model_loss(model, c.batch);
      loss.backward();
      std::vector<Tensor> out{loss.detach()};
      for (const Tensor& p : model.parameters()) out.push_back(p.grad());
      out.push_back(scalar(static_cast<float>(default_generator().next_u32() >> 8)));
      return out;
    };
    const std::vector<Tensor> lesson = run(false), fast = run(true);
    const auto names = model.named_parameters();
    EXPECT_TRUE(AllClose(fast[0], lesson[0])) << c.config.model << " loss";
    for (size_t i = 1; i + 1 < lesson.size(); ++i) {
      EXPECT_TRUE(AllClose(fast[i], lesson[i], 1e-5, 1e-4))
          << c.config.model << " gradient of " << names[i - 1].first;
    }
    EXPECT_EQ(fast.back().item(), lesson.back().item())
        << c.config.model << ": the next draw after the step";
  }
}

// The logits, in eval mode (what sampling and evaluation see), agree too.
TEST(FastEngine, LogitsInEvalModeAreTheModelsLogits) {
  for (int v = 4; v <= 11; ++v) {
    ModelCase c(v);
    c.model->eval();
    NoGradGuard no_grad;
    EXPECT_TRUE(AllClose(fast::logits(*c.model, c.batch.x, c.batch.B, c.batch.T),
                         c.model->forward(c.batch.x, c.batch.B, c.batch.T), 1e-5, 1e-4))
        << c.config.model;
  }
}

// v1-v3 have no fast path: the engine runs the model's own forward, to the bit.
TEST(FastEngine, VersionsWithoutAFastPathRunTheirOwnForward) {
  for (int v = 1; v <= 3; ++v) {
    ModelCase c(v);
    EXPECT_FALSE(fast::has_fast_path(*c.model)) << c.config.model;
    const Tensor fast = fast::loss(*c.model, c.batch), own = model_loss(*c.model, c.batch);
    EXPECT_EQ(fast.item(), own.item()) << c.config.model;
  }
}

// The fast engine checks its input as the model does.
TEST(FastEngine, BadInputsAreNamedAsByTheModel) {
  ModelCase c(9);
  const std::vector<int32_t> idx(14, 1);
  EXPECT_BG_ERROR(fast::features(*c.model, idx, 2, 7), "T = 7", "block_size 6");
  EXPECT_BG_ERROR(fast::features(*c.model, idx, 3, 6), "(3, 6)");
}

}  // namespace
}  // namespace bg
