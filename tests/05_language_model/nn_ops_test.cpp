// Lesson 05, exercises 3 and 4: the embedding lookup, log-softmax and cross-entropy.
//   exercise 3: ctest --test-dir build -R '^exercises\.lesson05\.Embedding\.' --output-on-failure
//   exercise 4: ctest --test-dir build -R '^exercises\.lesson05\.(LogSoftmax|CrossEntropy)\.'
#include "bg/nn_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "bg/module.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;
using testing::GradOk;

// ((7 i + 3) mod 13 - 6) / 4 for i = 0..14, shape (3, 5): exact in float, reproduced by
// tests/golden/ops_golden.py.
Tensor golden_logits(bool requires_grad = false) {
  std::vector<float> v;
  for (int i = 0; i < 15; ++i) v.push_back(static_cast<float>((7 * i + 3) % 13 - 6) / 4.0f);
  return tensor(v, {3, 5}, requires_grad);
}

// ---- Exercise 3: embedding -----------------------------------------------------------------

TEST(Embedding, LooksUpRows) {
  Tensor w = tensor({0, 1, 10, 11, 20, 21}, {3, 2});
  const std::vector<int32_t> ids{2, 0, 2, 1};
  Tensor y = embedding(w, ids, {2, 2});
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_TRUE(AllClose(y, {20, 21, 0, 1, 20, 21, 10, 11}, 0, 0));
  // a scalar id shape gives a single row of shape (C)
  const std::vector<int32_t> one{1};
  EXPECT_TRUE(AllClose(embedding(w, one, {}), {10, 11}, 0, 0));
}

TEST(Embedding, RepeatedIdsAccumulateTheirGradients) {
  Tensor w = zeros({4, 3}, true);
  const std::vector<int32_t> ids{1, 3, 1, 1};
  Tensor y = embedding(w, ids, {4});
  // upstream gradient: row k is k + 1 everywhere
  y.backward(tensor({1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}, {4, 3}));
  // row 1 gets rows 0, 2, 3 of the gradient (1 + 3 + 4), row 3 gets 2, rows 0 and 2 nothing
  EXPECT_TRUE(AllClose(w.grad(), {0, 0, 0, 8, 8, 8, 0, 0, 0, 2, 2, 2}, 0, 0));
  // a second pass adds on top
  embedding(w, ids, {4}).sum().backward();
  EXPECT_TRUE(AllClose(w.grad(), {0, 0, 0, 11, 11, 11, 0, 0, 0, 3, 3, 3}, 0, 0));
}

TEST(Embedding, Gradcheck) {
  Tensor w = randn({5, 3}).requires_grad_();
  const std::vector<int32_t> ids{4, 0, 4, 2, 4, 0};  // repeats, and rows 1 and 3 unused
  EXPECT_TRUE(GradOk("embedding",
                     [&](const std::vector<Tensor>& in) {
                       return embedding(in[0], ids, {2, 3});
                     },
                     {w}));
  // the table used twice in one graph
  EXPECT_TRUE(GradOk("embedding twice",
                     [&](const std::vector<Tensor>& in) {
                       return embedding(in[0], ids, {6}) * embedding(in[0], ids, {6});
                     },
                     {w}));
}

TEST(Embedding, RejectsBadInput) {
  Tensor w = zeros({11, 2});
  const std::vector<int32_t> bad{3, 11};
  EXPECT_BG_ERROR(embedding(w, bad, {2}), "id 11", "position 1", "11 rows");
  const std::vector<int32_t> neg{-1};
  EXPECT_BG_ERROR(embedding(w, neg, {1}), "id -1");
  const std::vector<int32_t> three{0, 1, 2};
  EXPECT_BG_ERROR(embedding(w, three, {2, 2}), "3 ids", "[2, 2]");
  EXPECT_BG_ERROR(embedding(zeros({11}), three, {3}), "[11]");
}

TEST(Embedding, ModuleHasANormalWeightNamedWeight) {
  Generator gen(7);
  Embedding emb(50, 40, gen);
  auto named = emb.named_parameters();
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].first, "weight");
  EXPECT_EQ(emb.weight.shape(), (Shape{50, 40}));
  double s = 0, s2 = 0;
  for (float x : emb.weight.data()) s += x, s2 += static_cast<double>(x) * x;
  const double n = 2000, m = s / n;
  EXPECT_NEAR(m, 0.0, 0.1);
  EXPECT_NEAR(s2 / n - m * m, 1.0, 0.1);
  const std::vector<int32_t> ids{49, 0};
  Tensor y = emb.forward(ids, {1, 2});
  EXPECT_EQ(y.shape(), (Shape{1, 2, 40}));
  EXPECT_EQ(y.at({0, 0, 5}), emb.weight.at({49, 5}));
}

// ---- Exercise 4: log_softmax ---------------------------------------------------------------

TEST(LogSoftmax, MatchesPyTorch) {
  // torch.log_softmax(logits, 0) for golden_logits() (a (3, 5) tensor): every lane strided.
  // PyTorch's answer: tests/golden/data/log_softmax.safetensors (tests/golden/ops_golden.py).
  const testing::GoldenFile& golden = testing::golden_file("log_softmax");
  Tensor y = log_softmax(golden_logits(), 0);
  EXPECT_EQ(y.shape(), (Shape{3, 5}));
  EXPECT_TRUE(AllClose(y, golden.values("y")));
}

TEST(LogSoftmax, RowsAreLogDistributions) {
  Tensor y = log_softmax(golden_logits(), -1);
  for (int64_t r = 0; r < 3; ++r) {
    double s = 0;
    for (int64_t c = 0; c < 5; ++c) s += std::exp(static_cast<double>(y.at({r, c})));
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
  // shifting a row by a constant changes nothing
  EXPECT_TRUE(AllClose(log_softmax(golden_logits() + 3.0f, -1), y, 1e-6, 0));
}

TEST(LogSoftmax, SubtractsTheMaximum) {
  // exp(1000) overflows float: only the max trick gives finite answers
  Tensor y = log_softmax(tensor({1000, 1000, 0, -1000}, {1, 4}), 1);
  const float l2 = std::log(2.0f);
  EXPECT_TRUE(AllClose(y, {-l2, -l2, -1000 - l2, -2000 - l2}, 1e-3, 0));
  // -inf stays -inf (probability 0), the rest is finite
  const float inf = std::numeric_limits<float>::infinity();
  Tensor z = log_softmax(tensor({-inf, 0, 0}), 0);
  EXPECT_TRUE(std::isinf(z.at({0})));
  EXPECT_NEAR(z.at({1}), -l2, 1e-6);
}

TEST(LogSoftmax, VeryNegativeRows) {
  // Every logit far below 0: exp(x) underflows to 0 for all of them, so the maximum must be
  // the row's own (a running maximum that starts at 0 gives log(0) = -inf here).
  // log_softmax([-1000, -1000, -1001, -3000]) = x - (-1000 + log(2 + e^-1)).
  Tensor y = log_softmax(tensor({-1000, -1000, -1001, -3000, 0, 1, 2, 3}, {2, 4}), 1);
  const double lse = -1000.0 + std::log(2.0 + std::exp(-1.0));
  const double lse2 = std::log(1.0 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  EXPECT_TRUE(AllClose(y,
                       {static_cast<float>(-1000 - lse), static_cast<float>(-1000 - lse),
                        static_cast<float>(-1001 - lse), static_cast<float>(-3000 - lse),
                        static_cast<float>(0 - lse2), static_cast<float>(1 - lse2),
                        static_cast<float>(2 - lse2), static_cast<float>(3 - lse2)},
                       1e-3, 0));  // float spacing at 2000 is 1.2e-4
  // along dim 0 too (strided lanes): columns [-1000, -1001] and [-5000, -5001]
  Tensor z = log_softmax(tensor({-1000, -5000, -1001, -5001}, {2, 2}), 0);
  const auto l = static_cast<float>(std::log(1.0 + std::exp(-1.0)));
  EXPECT_TRUE(AllClose(z, {-l, -l, -1 - l, -1 - l}, 1e-3, 0));
}

TEST(LogSoftmax, Gradcheck) {
  Tensor x = randn({2, 3, 4}).requires_grad_();
  for (int64_t dim : {0, 1, 2, -1}) {
    EXPECT_TRUE(GradOk("log_softmax",
                       [dim](const std::vector<Tensor>& in) { return log_softmax(in[0], dim); },
                       {x}))
        << "dim " << dim;
  }
  EXPECT_TRUE(GradOk("log_softmax used twice",
                     [](const std::vector<Tensor>& in) { return log_softmax(in[0], -1) * in[0]; },
                     {x}));
}

// ---- Exercise 4: cross_entropy -------------------------------------------------------------

// Golden values: tests/golden/data/cross_entropy.safetensors, made by
// tests/golden/ops_golden.py cross_entropy:
//   logits = torch.tensor([((7*i+3) % 13 - 6)/4 for i in range(15)]).reshape(3, 5)
//   loss = F.cross_entropy(logits.requires_grad_(), torch.tensor([4, 0, 2])); loss.backward()
TEST(CrossEntropy, MatchesPyTorchValueAndGradient) {
  const testing::GoldenFile& golden = testing::golden_file("cross_entropy");
  Tensor logits = golden_logits(true);
  const std::vector<int32_t> targets{4, 0, 2};
  Tensor loss = cross_entropy(logits, targets);
  EXPECT_EQ(loss.shape(), Shape{});
  EXPECT_NEAR(loss.item(), golden.scalar("loss"), 1e-6);
  loss.backward();
  EXPECT_TRUE(AllClose(logits.grad(), golden.values("grad.logits"), 1e-6, 1e-5));
}

TEST(CrossEntropy, EqualsMeanOfNegativeLogSoftmaxAtTheTargets) {
  Tensor logits = randn({6, 7});
  const std::vector<int32_t> targets{0, 6, 3, 3, 1, 5};
  Tensor ls = log_softmax(logits, 1);
  double expected = 0;
  for (int64_t n = 0; n < 6; ++n) expected -= ls.at({n, targets[static_cast<size_t>(n)]});
  EXPECT_NEAR(cross_entropy(logits, targets).item(), expected / 6, 1e-5);
  // uniform logits: the loss of guessing among 7 is log 7
  EXPECT_NEAR(cross_entropy(zeros({6, 7}), targets).item(), std::log(7.0), 1e-6);
  // huge logits do not overflow
  Tensor big = tensor({1000, 0, -1000, 0}, {2, 2});
  const std::vector<int32_t> t2{1, 0};  // each row's target is 1000 below its maximum
  EXPECT_NEAR(cross_entropy(big, t2).item(), 1000.0f, 1e-2);
}

TEST(CrossEntropy, ANanLogitGivesANanLoss) {
  // training must be able to notice a diverged model
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<int32_t> t{0, 1};
  EXPECT_TRUE(std::isnan(cross_entropy(tensor({0, 1, 2, nan, 4, 5}, {2, 3}), t).item()));
  EXPECT_TRUE(std::isnan(cross_entropy(tensor({nan, 1, 2, 3, 4, 5}, {2, 3}), t).item()));
}

TEST(CrossEntropy, Gradcheck) {
  Tensor logits = randn({5, 4}).requires_grad_();
  const std::vector<int32_t> targets{3, 0, 3, 1, 2};
  EXPECT_TRUE(GradOk("cross_entropy",
                     [&](const std::vector<Tensor>& in) { return cross_entropy(in[0], targets); },
                     {logits}));
  // scaled upstream gradient and the logits coming from another op
  EXPECT_TRUE(GradOk(
      "cross_entropy of a product",
      [&](const std::vector<Tensor>& in) { return cross_entropy(in[0] * in[0], targets) * 3.0f; },
      {logits}));
}

TEST(CrossEntropy, GradientsAccumulateOverTwoPasses) {
  Tensor logits = golden_logits(true);
  const std::vector<int32_t> targets{4, 0, 2};
  cross_entropy(logits, targets).backward();
  const std::vector<float> once = logits.grad().tolist();
  cross_entropy(logits, targets).backward();
  std::vector<float> twice;
  for (float g : once) twice.push_back(2 * g);
  EXPECT_TRUE(AllClose(logits.grad(), twice, 1e-7, 1e-6));
}

TEST(CrossEntropy, RejectsBadInput) {
  const std::vector<int32_t> t3{0, 1, 2};
  EXPECT_BG_ERROR(cross_entropy(zeros({3, 5}), std::vector<int32_t>{0, 5, 1}), "target 5", "row 1",
                  "5");
  EXPECT_BG_ERROR(cross_entropy(zeros({3, 5}), std::vector<int32_t>{-2, 0, 1}), "target -2",
                  "row 0");
  EXPECT_BG_ERROR(cross_entropy(zeros({2, 5}), t3), "[2, 5]", "2 targets", "got 3");
  EXPECT_BG_ERROR(cross_entropy(zeros({1, 3, 5}), t3), "[1, 3, 5]");
}

}  // namespace
}  // namespace bg
