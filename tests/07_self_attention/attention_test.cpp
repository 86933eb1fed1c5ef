// Lesson 07: softmax, masking and one head of causal self-attention (bg/attention.h).
//   exercise 1: ctest --test-dir build -R '^exercises\.lesson07\.Softmax\.' --output-on-failure
//   exercise 2: ctest --test-dir build -R '^exercises\.lesson07\.(MaskedFill|CausalMask)\.'
//   exercise 3: ctest --test-dir build -R '^exercises\.lesson07\.Head\.' --output-on-failure
#include "bg/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "bg/autograd.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

constexpr float kInf = std::numeric_limits<float>::infinity();

// Deterministic test values: element i is sin(a*i + b) * s (computed in double, then
// rounded to float). The PyTorch scripts that made the golden values below use the same
// formula:  torch.tensor([math.sin(a*i+b)*s for i in range(n)], dtype=torch.float32)
Tensor fill(const Shape& shape, double a, double b, double s = 1.0, bool requires_grad = false) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(a * static_cast<double>(i) + b) * s);
  }
  return tensor(std::move(v), shape, requires_grad);
}

// ============================================================ exercise 1: softmax

TEST(Softmax, MatchesPyTorchOnKnownValues) {
  // torch.tensor([[1., 2., 3.], [-1., 0., 5.]]).softmax(-1)
  const Tensor y = softmax(tensor({1, 2, 3, -1, 0, 5}, {2, 3}), -1);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(
      y, {0.09003057f, 0.24472848f, 0.66524094f, 0.0024561151f, 0.0066764127f, 0.9908675f}));
}

TEST(Softmax, RowsSumToOneAlongEveryDim) {
  const Tensor x = mul(randn({3, 4, 5}), 3.0f);
  const Shape s{3, 4, 5};
  for (int64_t dim : {0, 1, 2, -1}) {
    const Tensor y = softmax(x, dim);
    ASSERT_EQ(y.shape(), s);
    const Tensor total = sum(y, dim);
    for (float t : total.tolist()) EXPECT_NEAR(t, 1.0f, 1e-6f) << "dim " << dim;
    for (float v : y.tolist()) EXPECT_GT(v, 0.0f);
  }
}

TEST(Softmax, AlongTheFirstDimMatchesPyTorch) {
  // torch.tensor([[1., 2., 3.], [-1., 0., 5.]]).softmax(0)
  const Tensor y = softmax(tensor({1, 2, 3, -1, 0, 5}, {2, 3}), 0);
  EXPECT_TRUE(
      AllClose(y, {0.88079708f, 0.88079708f, 0.11920292f, 0.11920292f, 0.11920292f, 0.88079708f}));
}

TEST(Softmax, SubtractsTheMaximumSoLargeValuesDoNotOverflow) {
  // exp(1000) overflows float; softmax([1000, 1001, 1002]) == softmax([0, 1, 2]).
  const Tensor y = softmax(tensor({1000, 1001, 1002, -1000, -1001, -1002}, {2, 3}), -1);
  EXPECT_TRUE(
      AllClose(y, {0.09003057f, 0.24472848f, 0.66524094f, 0.66524094f, 0.24472848f, 0.09003057f}));
}

TEST(Softmax, MinusInfinityGetsZeroProbability) {
  const Tensor y = softmax(tensor({0.5f, -kInf, 0.5f, -kInf}, {1, 4}), -1);
  EXPECT_EQ(y.tolist(), (std::vector<float>{0.5f, 0.0f, 0.5f, 0.0f}));
}

TEST(Softmax, AllMinusInfinityRowGivesNaNWithoutCrashing) {
  // As in PyTorch: a row with nothing to attend to has no distribution. Other rows are fine.
  Tensor x = tensor({-kInf, -kInf, 1.0f, 1.0f}, {2, 2}, true);
  const Tensor y = softmax(x, -1);
  EXPECT_TRUE(std::isnan(y.at({0, 0})) && std::isnan(y.at({0, 1})));
  EXPECT_FLOAT_EQ(y.at({1, 0}), 0.5f);
  EXPECT_FLOAT_EQ(y.at({1, 1}), 0.5f);
  sum(mul(y, tensor({0, 0, 1, -1}, {2, 2}))).backward();  // does not throw or crash
  EXPECT_FLOAT_EQ(x.grad().at({1, 0}), 0.5f);
  EXPECT_FLOAT_EQ(x.grad().at({1, 1}), -0.5f);
}

TEST(Softmax, GradcheckLastDim) {
  const Tensor x = randn({3, 5}).requires_grad_();
  EXPECT_TRUE(
      GradOk("softmax(-1)", [](const std::vector<Tensor>& in) { return softmax(in[0], -1); }, {x}));
}

TEST(Softmax, GradcheckMiddleAndFirstDim) {
  const Tensor x = randn({2, 3, 4}).requires_grad_();
  EXPECT_TRUE(
      GradOk("softmax(1)", [](const std::vector<Tensor>& in) { return softmax(in[0], 1); }, {x}));
  EXPECT_TRUE(
      GradOk("softmax(0)", [](const std::vector<Tensor>& in) { return softmax(in[0], 0); }, {x}));
}

TEST(Softmax, GradientOfTheSumIsZero) {
  // Each row sums to 1 whatever x is, so d(sum y)/dx = 0 — catches a backward that forgets
  // the "- sum(g·y)" term.
  Tensor x = randn({2, 4}).requires_grad_();
  softmax(x, -1).sum().backward();
  for (float g : x.grad().tolist()) EXPECT_NEAR(g, 0.0f, 1e-6f);
}

TEST(Softmax, GradientMatchesPyTorch) {
  // x = torch.tensor([[1., 2., 3.]], requires_grad=True)
  // (x.softmax(-1) * torch.tensor([[1., -2., 0.5]])).sum().backward(); x.grad
  Tensor x = tensor({1, 2, 3}, {1, 3}, true);
  sum(mul(softmax(x, -1), tensor({1.0f, -2.0f, 0.5f}, {1, 3}))).backward();
  EXPECT_TRUE(AllClose(x.grad(), {0.096045144f, -0.47310767f, 0.3770625f}));
}

TEST(Softmax, AccumulatesWhenUsedTwiceAndOverTwoBackwardPasses) {
  Tensor x = randn({2, 3}).requires_grad_();
  EXPECT_TRUE(GradOk("softmax(x)*x",
                     [](const std::vector<Tensor>& in) { return mul(softmax(in[0], -1), in[0]); },
                     {x}));
  const Tensor w = randn({2, 3});
  sum(mul(softmax(x, -1), w)).backward();
  const std::vector<float> once = x.grad().tolist();
  sum(mul(softmax(x, -1), w)).backward();
  const std::vector<float> twice = x.grad().tolist();
  for (size_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(twice[i], 2.0f * once[i]);
}

TEST(Softmax, RejectsABadDimAndScalars) {
  EXPECT_BG_ERROR(softmax(zeros({2, 3}), 2), "[2, 3]");
  EXPECT_BG_ERROR(softmax(zeros({2, 3}), -3), "[2, 3]");
  EXPECT_BG_ERROR(softmax(scalar(1.0f), -1), "[]");
}

// ============================================================ exercise 2: masking

TEST(MaskedFill, FillsWhereTheMaskIsNonzero) {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor y = masked_fill(x, tensor({0, 1, 0, 1, 0, 0}, {2, 3}), -7.0f);
  EXPECT_EQ(y.tolist(), (std::vector<float>{1, -7, 3, -7, 5, 6}));
  EXPECT_EQ(x.tolist(), (std::vector<float>{1, 2, 3, 4, 5, 6}));  // the input is untouched
}

TEST(MaskedFill, BroadcastsTheMask) {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(masked_fill(x, tensor({1, 0, 1}, {3}), 0.0f).tolist(),
            (std::vector<float>{0, 2, 0, 0, 5, 0}));
  EXPECT_EQ(masked_fill(x, tensor({0, 1}, {2, 1}), -kInf).tolist(),
            (std::vector<float>{1, 2, 3, -kInf, -kInf, -kInf}));
  // The course's mask: tril == 0 of a (T, T) table, broadcast over a batch (B, T, T).
  const Tensor scores = ones({2, 3, 3});
  const Tensor upper = tensor({0, 1, 1, 0, 0, 1, 0, 0, 0}, {3, 3});
  const Tensor y = masked_fill(scores, upper, -kInf);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t j = 0; j < 3; ++j) EXPECT_EQ(y.at({b, t, j}), j > t ? -kInf : 1.0f);
}

TEST(MaskedFill, GradientIsZeroWhereFilled) {
  Tensor x = randn({2, 3}).requires_grad_();
  const Tensor g = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  masked_fill(x, tensor({1, 0, 1}, {3}), 9.0f).backward(g);
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{0, 2, 0, 0, 5, 0}));
}

TEST(MaskedFill, Gradcheck) {
  const Tensor x = randn({2, 3, 4}).requires_grad_();
  const Tensor mask = tensor({0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1}, {3, 4});
  EXPECT_TRUE(GradOk("masked_fill",
                     [&](const std::vector<Tensor>& in) {
                       return mul(masked_fill(in[0], mask, 2.0f), in[0]);  // x used twice
                     },
                     {x}));
}

TEST(MaskedFill, RejectsAMaskThatDoesNotBroadcastToTheInput) {
  EXPECT_BG_ERROR(masked_fill(zeros({2, 3}), zeros({4}), 0.0f), "[4]", "[2, 3]");
  EXPECT_BG_ERROR(masked_fill(zeros({2, 3}), zeros({3, 3}), 0.0f), "[3, 3]", "[2, 3]");
  // A mask may not enlarge the input.
  EXPECT_BG_ERROR(masked_fill(zeros({3}), zeros({2, 3}), 0.0f), "[2, 3]", "[3]");
  EXPECT_BG_ERROR(masked_fill(zeros({1, 3}), zeros({2, 3}), 0.0f), "[2, 3]", "[1, 3]");
}

TEST(CausalMask, HidesExactlyTheEntriesAboveTheDiagonal) {
  // An off-by-one (masking the diagonal, or keeping the first entry above it) fails here.
  const Tensor x = add(arange(32.0f).reshape({2, 4, 4}), 1.0f);
  const Tensor y = causal_mask(x);
  ASSERT_EQ(y.shape(), (Shape{2, 4, 4}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 4; ++t)
      for (int64_t j = 0; j < 4; ++j) {
        if (j > t) {
          EXPECT_EQ(y.at({b, t, j}), -kInf) << b << "," << t << "," << j;
        } else {
          EXPECT_EQ(y.at({b, t, j}), x.at({b, t, j})) << b << "," << t << "," << j;
        }
      }
}

TEST(CausalMask, WorksForOneStepAndForManyBatchDims) {
  EXPECT_EQ(causal_mask(tensor({3.0f}, {1, 1})).tolist(), (std::vector<float>{3.0f}));
  const Tensor y = causal_mask(ones({2, 3, 2, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2, 2}));
  for (int64_t i = 0; i < 6; ++i) {
    const auto v = y.tolist();
    EXPECT_EQ(v[static_cast<size_t>(4 * i + 0)], 1.0f);
    EXPECT_EQ(v[static_cast<size_t>(4 * i + 1)], -kInf);
    EXPECT_EQ(v[static_cast<size_t>(4 * i + 2)], 1.0f);
    EXPECT_EQ(v[static_cast<size_t>(4 * i + 3)], 1.0f);
  }
}

TEST(CausalMask, GradientPassesOnAndBelowTheDiagonalOnly) {
  Tensor x = zeros({1, 3, 3}, true);
  causal_mask(x).backward(tensor({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{1, 0, 0, 4, 5, 0, 7, 8, 9}));
}

TEST(CausalMask, AccumulatesWhenUsedTwiceAndOverTwoBackwardPasses) {
  // x feeds the mask and, directly, the sum: below the diagonal 2·g, above only g.
  Tensor x = zeros({1, 2, 2}, true);
  const Tensor g = tensor({1, 2, 3, 4}, {1, 2, 2});
  add(causal_mask(x), x).backward(g);
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{2, 2, 6, 8}));
  causal_mask(x).backward(g);
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{3, 2, 9, 12}));
}

TEST(MaskedFill, AccumulatesOverTwoBackwardPasses) {
  Tensor x = zeros({3}, true);
  const Tensor mask = tensor({0, 1, 0});
  masked_fill(x, mask, 5.0f).backward(tensor({1, 2, 3}));
  masked_fill(x, mask, 5.0f).backward(tensor({10, 20, 30}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{11, 0, 33}));
}

TEST(CausalMask, GradcheckThroughSoftmax) {
  const Tensor x = randn({2, 4, 4}).requires_grad_();
  EXPECT_TRUE(GradOk("softmax(causal_mask)",
                     [](const std::vector<Tensor>& in) { return softmax(causal_mask(in[0]), -1); },
                     {x}));
}

TEST(CausalMask, RejectsNonSquareScores) {
  EXPECT_BG_ERROR(causal_mask(zeros({2, 3, 4})), "[2, 3, 4]");
  EXPECT_BG_ERROR(causal_mask(zeros({4})), "[4]");
}

// ============================================================ exercise 3: Head

// A Head with the deterministic weights of the golden tests (n_embed 8, head_size 4).
void set_golden_head_weights(Head& head) {
  auto copy = [](const Tensor& from, Tensor& to) {
    std::copy(from.data().begin(), from.data().end(), to.data().begin());
  };
  copy(fill({4, 8}, 0.31, 0.2, 0.5), head.key.weight);
  copy(fill({4, 8}, 0.43, 1.1, 0.5), head.query.weight);
  copy(fill({4, 8}, 0.57, 2.3, 0.5), head.value.weight);
}

TEST(Head, MatchesPyTorchOutputsAttentionAndGradients) {
  // PyTorch's numbers (float32): tests/golden/data/head.safetensors, made by
  // tests/golden/blocks_golden.py head:
  //   x = fill((2,4,8), 0.7, 0.1); Wk = fill((4,8), 0.31, 0.2, 0.5);
  //   Wq = fill((4,8), 0.43, 1.1, 0.5); Wv = fill((4,8), 0.57, 2.3, 0.5)
  //   k, q, v = x @ Wk.T, x @ Wq.T, x @ Wv.T
  //   wei = (q @ k.transpose(-2,-1) * k.size(-1)**-0.5)
  //           .masked_fill(torch.tril(torch.ones(4,4)) == 0, float('-inf')).softmax(-1)
  //   out = wei @ v;  (out * fill(out.shape, 0.9, 0.3)).sum().backward()
  const testing::GoldenFile& golden = testing::golden_file("head");
  Head head(8, 4, 4);
  set_golden_head_weights(head);
  Tensor x = fill({2, 4, 8}, 0.7, 0.1, 1.0, true);
  Tensor wei;
  const Tensor out = head.forward(x, &wei);
  ASSERT_EQ(out.shape(), (Shape{2, 4, 4}));
  ASSERT_EQ(wei.shape(), (Shape{2, 4, 4}));
  EXPECT_TRUE(AllClose(out, golden.values("out")));
  EXPECT_TRUE(AllClose(wei, golden.values("wei")));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad")));
  EXPECT_TRUE(AllClose(head.key.weight.grad(), golden.values("grad.key.weight")));
  EXPECT_TRUE(AllClose(head.query.weight.grad(), golden.values("grad.query.weight")));
  EXPECT_TRUE(AllClose(head.value.weight.grad(), golden.values("grad.value.weight")));
}

TEST(Head, TheFutureDoesNotLeakIntoThePast) {
  // Changing token t's input may change outputs t, t+1, … but never an earlier one:
  // exactly the same values, not merely close.
  Generator gen(7);
  Head head(8, 4, 6, gen);
  const Tensor x = randn({2, 6, 8}, gen);
  const Tensor before = head(x);
  for (int64_t t = 0; t < 6; ++t) {
    Tensor changed = x.detach();
    for (int64_t c = 0; c < 8; ++c) changed.at({1, t, c}) += 3.0f;
    const Tensor after = head(changed);
    for (int64_t s = 0; s < 6; ++s)
      for (int64_t c = 0; c < 4; ++c) {
        EXPECT_EQ(after.at({0, s, c}), before.at({0, s, c}))
            << "changing sequence 1 changed sequence 0 at position " << s
            << ": the sequences of a batch must not see each other";
        if (s < t) {
          EXPECT_EQ(after.at({1, s, c}), before.at({1, s, c}))
              << "changing position " << t << " changed the output at the earlier position " << s
              << ": the future must not leak into the past (mask the scores above the diagonal)";
        }
      }
    // ... and the change does reach position t itself (so this test can fail).
    bool moved = false;
    for (int64_t c = 0; c < 4; ++c) moved |= after.at({1, t, c}) != before.at({1, t, c});
    EXPECT_TRUE(moved) << "changing position " << t << " must change its own output";
  }
}

TEST(Head, AttentionWeightsAreCausalDistributions) {
  Generator gen(3);
  Head head(8, 4, 5, gen);
  Tensor wei;
  const Tensor out = head.forward(randn({3, 5, 8}, gen), &wei);
  ASSERT_EQ(wei.shape(), (Shape{3, 5, 5}));
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t t = 0; t < 5; ++t) {
      float row = 0.0f;
      for (int64_t j = 0; j < 5; ++j) {
        if (j > t) {
          EXPECT_EQ(wei.at({b, t, j}), 0.0f);
        }
        row += wei.at({b, t, j});
      }
      EXPECT_NEAR(row, 1.0f, 1e-6f);
    }
  // The first position can only attend to itself: its output is its own value vector.
  const Tensor x0 = randn({1, 1, 8}, gen);
  EXPECT_TRUE(AllClose(head(x0), head.value(x0)));
}

TEST(Head, ShorterSequencesThanTheBlockWork) {
  Generator gen(5);
  Head head(8, 4, 8, gen);
  const Tensor x = randn({2, 8, 8}, gen);
  const Tensor full = head(x);
  // The first 3 positions of a full block equal a 3-step sequence: causality again.
  Tensor x3 = zeros({2, 3, 8});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t c = 0; c < 8; ++c) x3.at({b, t, c}) = x.at({b, t, c});
  const Tensor short_out = head(x3);
  ASSERT_EQ(short_out.shape(), (Shape{2, 3, 4}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t)
      for (int64_t c = 0; c < 4; ++c)
        EXPECT_NEAR(short_out.at({b, t, c}), full.at({b, t, c}), 1e-6f);
}

TEST(Head, GradcheckInputAndWeights) {
  Generator gen(11);
  Head head(6, 3, 4, gen);
  const Tensor x = randn({2, 4, 6}, gen).requires_grad_();
  const Tensor wk = head.key.weight.detach().requires_grad_();
  const Tensor wq = head.query.weight.detach().requires_grad_();
  const Tensor wv = head.value.weight.detach().requires_grad_();
  // Plug the checked copies in as the weights the forward pass reads.
  EXPECT_TRUE(GradOk("Head",
                     [&](const std::vector<Tensor>& in) {
                       head.key.weight = in[1];
                       head.query.weight = in[2];
                       head.value.weight = in[3];
                       return head(in[0]);
                     },
                     {x, wk, wq, wv}));
}

TEST(Head, RejectsBadInputShapes) {
  Head head(8, 4, 4);
  EXPECT_BG_ERROR(head(zeros({2, 5, 8})), "[2, 5, 8]", "block_size 4");  // T > block_size
  EXPECT_BG_ERROR(head(zeros({2, 4, 6})), "[2, 4, 6]", "8");             // wrong C
  EXPECT_BG_ERROR(head(zeros({4, 8})), "[4, 8]");                        // not (B, T, C)
}

}  // namespace
}  // namespace bg
