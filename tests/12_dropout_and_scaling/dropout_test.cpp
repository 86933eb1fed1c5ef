// Lesson 12: dropout (bg/dropout.h) and what it does inside BabyGPT v10.
//   exercise 1: ctest -L lesson12 -R DropoutOp
//   exercise 2: ctest -L lesson12 -R 'DropoutModule|DropoutInTheModel'   (uses exercise 1 too)
//
// Which plausible wrong answer each test catches is noted above the test ("Catches: …").
#include "bg/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "bg/autograd.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// True when `gen` is exactly where a fresh Generator(seed) is after `draws` draws.
bool generator_is_at(Generator& gen, uint64_t seed, int64_t draws) {
  Generator ref(seed);
  for (int64_t i = 0; i < draws; ++i) ref.next_u32();
  Generator copy = gen;  // look ahead without moving gen
  for (int i = 0; i < 4; ++i) {
    if (copy.next_u32() != ref.next_u32()) return false;
  }
  return true;
}

// ============================================================ exercise 1: the dropout op

// The documented rule, checked element by element against a second generator with the same
// seed: element i is dropped when the i-th uniform() is < p, and exactly one draw is made per
// element. Catches: >= instead of <, drawing in another order or more than once per element,
// std::bernoulli_distribution (different numbers), a generator other than the one passed.
TEST(DropoutOp, MaskFollowsTheDocumentedRule) {
  const float p = 0.3f;
  const Tensor x = add(randn({3, 4, 5}), 5.0f);  // no zeros among the inputs
  Generator gen(42);
  const Tensor y = dropout(x, p, gen);
  ASSERT_EQ(y.shape(), x.shape());
  Generator ref(42);
  int dropped = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float u = ref.uniform();
    const float xi = x.data()[i], yi = y.data()[i];
    if (u < p) {
      EXPECT_EQ(yi, 0.0f) << "element " << i << " (u = " << u << ") should be dropped";
      ++dropped;
    } else {
      EXPECT_FLOAT_EQ(yi, xi / (1.0f - p)) << "element " << i << " (u = " << u << ") is kept";
    }
  }
  EXPECT_GT(dropped, 0);
  EXPECT_TRUE(generator_is_at(gen, 42, x.numel())) << "dropout must draw once per element";
}

// Catches: a mask that does not come from the generator (the same seed must give the same
// mask, another seed another one).
TEST(DropoutOp, SameSeedSameMask) {
  const Tensor x = ones({500});
  Generator a(7), b(7), c(8);
  const auto ya = dropout(x, 0.5f, a).tolist();
  EXPECT_EQ(ya, dropout(x, 0.5f, b).tolist());
  EXPECT_NE(ya, dropout(x, 0.5f, c).tolist());
  // The generator moves on: a second call draws a new mask.
  EXPECT_NE(ya, dropout(x, 0.5f, a).tolist());
}

// Inverted dropout: the survivors are multiplied by 1 / (1 - p), so that nothing needs to
// change at eval time. Catches: no rescaling, rescaling by (1 - p), rescaling the dropped ones.
TEST(DropoutOp, SurvivorsAreScaledByOneOverOneMinusP) {
  const Tensor x = randn({1000});
  for (float p : {0.1f, 0.5f, 0.8f}) {
    Generator gen(3);
    const Tensor y = dropout(x, p, gen);
    int kept = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (y.data()[i] != 0.0f) {
        EXPECT_FLOAT_EQ(y.data()[i], x.data()[i] / (1.0f - p)) << "p " << p << " element " << i;
        ++kept;
      }
    }
    EXPECT_GT(kept, 0) << "p " << p;
  }
}

// The mean of every element is unchanged: E[y] = (1 - p) · x / (1 - p) = x. On N ones, the
// mean of y has standard deviation sqrt(p / ((1 - p) N)) (each y is 0 or 1/(1-p), variance
// p / (1 - p)), and the fraction dropped sqrt(p (1 - p) / N). Both must be within 5 of their
// standard deviations: with the fixed seed this either always passes or always fails, and a
// correct dropout lands within 5σ unless it is very unlucky (probability < 1e-6).
// Catches: no rescaling (mean 1 - p), rescaling by 1 - p (mean (1 - p)²), dropping with
// probability 1 - p.
TEST(DropoutOp, MeanIsPreserved) {
  const int64_t N = 100000;
  const Tensor x = ones({N});
  for (float p : {0.2f, 0.5f, 0.9f}) {
    Generator gen(2024);
    const Tensor y = dropout(x, p, gen);
    double total = 0.0;
    int64_t zeros = 0;
    for (float v : y.data()) {
      total += v;
      zeros += v == 0.0f;
    }
    const double mean = total / N, dropped = static_cast<double>(zeros) / N;
    EXPECT_NEAR(mean, 1.0, 5.0 * std::sqrt(p / ((1.0 - p) * N))) << "p " << p;
    EXPECT_NEAR(dropped, p, 5.0 * std::sqrt(p * (1.0 - p) / N)) << "p " << p;
  }
}

// p = 0 keeps every value; p = 1 zeroes everything (no 0 · inf = NaN), gradient 0.
// Catches: a scale of 1 / (1 - p) multiplied in for p = 1, an off-by-one at the ends.
TEST(DropoutOp, PZeroKeepsEverythingAndPOneDropsEverything) {
  const Tensor x = randn({4, 6});
  Generator gen(1);
  EXPECT_EQ(dropout(x, 0.0f, gen).tolist(), x.tolist());
  Tensor xg = randn({4, 6}).requires_grad_();
  const Tensor y = dropout(xg, 1.0f, gen);
  EXPECT_EQ(y.tolist(), std::vector<float>(24, 0.0f));
  y.backward(ones({4, 6}));
  EXPECT_EQ(xg.grad().tolist(), std::vector<float>(24, 0.0f));
}

// p = 0 returns a copy of x that is still in the graph: the gradient passes through unchanged.
// An input that does not require grad, or no-grad mode, records nothing.
// Catches: p = 0 answered with a detached copy (x.detach(), tensor(x.tolist(), …)), whose
// backward never reaches x; a result built by hand that requires grad in no-grad mode.
TEST(DropoutOp, PZeroKeepsTheGradientAndConstantsRecordNothing) {
  Tensor x = randn({3, 4}).requires_grad_();
  const Tensor g = randn({3, 4});
  Generator gen(1);
  const Tensor y = dropout(x, 0.0f, gen);
  ASSERT_TRUE(y.requires_grad()) << "dropout with p = 0 must stay in the graph";
  y.backward(g);
  EXPECT_EQ(x.grad().tolist(), g.tolist());
  EXPECT_FALSE(dropout(randn({3, 4}), 0.5f, gen).requires_grad());
  NoGradGuard no_grad;
  EXPECT_FALSE(dropout(x, 0.5f, gen).requires_grad());
}

// Catches: a missing check, a check that lets p = 1.5 or NaN through.
TEST(DropoutOp, RejectsPOutsideZeroOne) {
  Generator gen(1);
  const Tensor x = ones({3});
  EXPECT_BG_ERROR(dropout(x, -0.1f, gen), "dropout", "p");
  EXPECT_BG_ERROR(dropout(x, 1.5f, gen), "dropout", "p");
  EXPECT_BG_ERROR(dropout(x, std::numeric_limits<float>::quiet_NaN(), gen), "dropout", "p");
  // ... and the values at the ends are fine.
  EXPECT_EQ(dropout(x, 0.0f, gen).tolist(), x.tolist());
}

// The backward multiplies by the forward's mask and scale: with y = dropout(ones) and an
// upstream gradient of ones, x.grad equals y exactly. Catches: a fresh mask drawn in the
// backward, a backward without the scale, a backward that passes the gradient through.
TEST(DropoutOp, BackwardUsesTheForwardMask) {
  Tensor x = ones({1000}, true);
  Generator gen(9);
  const Tensor y = dropout(x, 0.5f, gen);
  y.backward(ones({1000}));
  EXPECT_EQ(x.grad().tolist(), y.tolist());
}

// The mask is fixed by seeding a generator inside f: every evaluation draws the same mask,
// so the finite differences see one function. x is also used twice.
TEST(DropoutOp, GradcheckWithAFixedMask) {
  const Tensor x = randn({3, 4}).requires_grad_();
  EXPECT_TRUE(GradOk("dropout",
                     [](const std::vector<Tensor>& in) {
                       Generator gen(5);
                       return dropout(in[0], 0.4f, gen);
                     },
                     {x}));
  EXPECT_TRUE(GradOk("dropout(x) * x",
                     [](const std::vector<Tensor>& in) {
                       Generator gen(6);
                       return mul(dropout(in[0], 0.25f, gen), in[0]);
                     },
                     {x}));
}

// Catches: "=" instead of "+=" in the backward.
TEST(DropoutOp, AccumulatesOverTwoBackwardPasses) {
  Tensor x = randn({50}).requires_grad_();
  const Tensor g = randn({50});
  Generator a(4);
  dropout(x, 0.5f, a).backward(g);
  const auto once = x.grad().tolist();
  Generator b(4);
  dropout(x, 0.5f, b).backward(g);
  const auto twice = x.grad().tolist();
  for (size_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(twice[i], 2.0f * once[i]);
}

// ============================================================ exercise 2: the Dropout module

// Catches: dropout active in eval mode, or drawing numbers it does not use.
TEST(DropoutModule, EvalModeIsTheIdentityAndDrawsNothing) {
  Dropout drop(0.5f);
  drop.eval();
  const Tensor x = randn({4, 8});
  manual_seed(11);
  const Tensor y = drop(x);
  EXPECT_EQ(y.tolist(), x.tolist());
  EXPECT_TRUE(generator_is_at(default_generator(), 11, 0));
}

// Training mode (the default) drops with bg::dropout on the default generator.
// Catches: a module that never drops, its own private generator, the wrong p.
TEST(DropoutModule, TrainModeDropsWithTheDefaultGenerator) {
  Dropout drop(0.25f);
  ASSERT_TRUE(drop.is_training());
  const Tensor x = randn({6, 7});
  manual_seed(12);
  const Tensor y = drop(x);
  Generator ref(12);
  EXPECT_EQ(y.tolist(), dropout(x, 0.25f, ref).tolist());
  EXPECT_TRUE(generator_is_at(default_generator(), 12, x.numel()));
}

// p = 0 is the identity even in training mode, and draws nothing (a v9 model, whose Dropout
// layers have p = 0, trains on the same random numbers as without them).
// Catches: drawing a mask for p = 0.
TEST(DropoutModule, PZeroDrawsNothing) {
  Dropout drop(0.0f);
  const Tensor x = randn({5, 5});
  manual_seed(13);
  EXPECT_EQ(drop(x).tolist(), x.tolist());
  EXPECT_TRUE(generator_is_at(default_generator(), 13, 0));
}

// Catches: a mode remembered at construction instead of read at each call.
TEST(DropoutModule, FollowsTheModeBackAndForth) {
  Dropout drop(0.5f);
  const Tensor x = ones({200});
  auto zeros_in = [](const Tensor& t) {
    int n = 0;
    for (float v : t.data()) n += v == 0.0f;
    return n;
  };
  drop.eval();
  EXPECT_EQ(zeros_in(drop(x)), 0);
  drop.train();
  EXPECT_GT(zeros_in(drop(x)), 0);
  drop.eval();
  EXPECT_EQ(zeros_in(drop(x)), 0);
}

// ============================================================ dropout inside BabyGPT v10

ModelConfig tiny(const char* model, float dropout) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = 11;
  c.block_size = 4;
  c.n_embed = 8;
  c.n_head = 2;
  c.n_layer = 2;
  c.dropout = dropout;
  return c;
}

const std::vector<int32_t> kIdx = {1, 5, 10, 5, 0, 3, 3, 7};  // (B, T) = (2, 4)

// In eval mode v10 is v9: the same weights (dropout draws nothing at construction) give the
// same logits, every time. Catches: dropout active in eval mode.
TEST(DropoutInTheModel, V10InEvalModeIsDeterministicAndEqualsV9) {
  Generator g9(1), g10(1);
  auto v9 = make_model(tiny("v9", 0.0f), g9);
  auto v10 = make_model(tiny("v10", 0.2f), g10);
  v9->eval();
  v10->eval();
  manual_seed(5);
  const auto a = v10->forward(kIdx, 2, 4).tolist();
  const auto b = v10->forward(kIdx, 2, 4).tolist();
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, v9->forward(kIdx, 2, 4).tolist());
  EXPECT_TRUE(generator_is_at(default_generator(), 5, 0));
}

// In training mode every forward draws new masks: two calls differ, and the same seed gives
// the same logits again. Catches: a model that never drops, masks not from the generator.
TEST(DropoutInTheModel, V10InTrainModeDropsAndIsReproducibleForASeed) {
  Generator gen(1);
  auto v10 = make_model(tiny("v10", 0.2f), gen);
  manual_seed(6);
  const auto a = v10->forward(kIdx, 2, 4).tolist();
  const auto b = v10->forward(kIdx, 2, 4).tolist();
  EXPECT_NE(a, b);
  manual_seed(6);
  EXPECT_EQ(v10->forward(kIdx, 2, 4).tolist(), a);
}

// Where v10 drops, counted by the draws one training forward makes: in each of the
// n_layer = 2 blocks, the attention weights of every head (B·T·T each), the output of the
// projection (B·T·C) and the output of the feed-forward (B·T·C) — and nowhere else.
// Catches: a Dropout that draws when it should not (p = 0 layers, eval), a missing one.
TEST(DropoutInTheModel, V10DropsAttentionWeightsProjectionAndFeedForward) {
  Generator gen(1);
  auto v10 = make_model(tiny("v10", 0.2f), gen);
  manual_seed(7);
  v10->forward(kIdx, 2, 4);
  const int64_t B = 2, T = 4, C = 8, heads = 2, layers = 2;
  const int64_t per_block = heads * B * T * T + B * T * C + B * T * C;
  EXPECT_TRUE(generator_is_at(default_generator(), 7, layers * per_block));
}

}  // namespace
}  // namespace bg
