// Lesson 08: concat, multi-head attention as a list of heads, and the fused variant
// (bg/attention.h).
//   exercise 1: ctest --test-dir build -R '^exercises\.lesson08\.Concat\.' --output-on-failure
//   exercise 2: ctest --test-dir build -R '^exercises\.lesson08\.MultiHeadAttention\.'
//   exercise 3: ctest --test-dir build -R '^exercises\.lesson08\.FusedMultiHeadAttention\.'
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// Deterministic test values: element i is sin(a*i + b) * s (computed in double, rounded to
// float); the PyTorch script of the golden values uses the same formula:
//   torch.tensor([math.sin(a*i+b)*s for i in range(n)], dtype=torch.float32)
Tensor fill(const Shape& shape, double a, double b, double s = 1.0, bool requires_grad = false) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(a * static_cast<double>(i) + b) * s);
  }
  return tensor(std::move(v), shape, requires_grad);
}

void copy_into(const Tensor& from, Tensor& to) {
  std::copy(from.data().begin(), from.data().end(), to.data().begin());
}

// ============================================================ exercise 1: concat

TEST(Concat, JoinsAlongTheLastDim) {
  const Tensor a = tensor({1, 2, 3, 4}, {2, 2});
  const Tensor b = tensor({5, 6, 7, 8, 9, 10}, {2, 3});
  const Tensor y = concat({a, b}, -1);
  EXPECT_EQ(y.shape(), (Shape{2, 5}));
  EXPECT_EQ(y.tolist(), (std::vector<float>{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}));
}

TEST(Concat, JoinsAlongTheFirstAndAMiddleDim) {
  const Tensor a = tensor({1, 2, 3, 4}, {1, 2, 2});
  const Tensor b = tensor({5, 6, 7, 8}, {1, 2, 2});
  const Tensor y0 = concat({a, b}, 0);
  EXPECT_EQ(y0.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(y0.tolist(), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  const Tensor y1 = concat({a, b, a}, 1);
  EXPECT_EQ(y1.shape(), (Shape{1, 6, 2}));
  EXPECT_EQ(y1.tolist(), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4}));
}

TEST(Concat, OneTensorIsACopy) {
  const Tensor a = tensor({1, 2, 3}, {3});
  EXPECT_EQ(concat({a}, 0).tolist(), (std::vector<float>{1, 2, 3}));
}

TEST(Concat, GradientIsCutBackIntoThePieces) {
  Tensor a = zeros({2, 1}, true);
  Tensor b = zeros({2, 2}, true);
  concat({a, b}, 1).backward(tensor({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(a.grad().tolist(), (std::vector<float>{1, 4}));
  EXPECT_EQ(b.grad().tolist(), (std::vector<float>{2, 3, 5, 6}));
}

TEST(Concat, GradcheckEveryDim) {
  const Tensor a = randn({2, 3, 2}).requires_grad_();
  const Tensor b = randn({2, 3, 2}).requires_grad_();
  for (int64_t dim : {0, 1, 2}) {
    EXPECT_TRUE(GradOk("concat dim " + std::to_string(dim),
                       [dim](const std::vector<Tensor>& in) {
                         return concat({in[0], in[1]}, dim);
                       },
                       {a, b}));
  }
  const Tensor c = randn({2, 1, 2}).requires_grad_();
  EXPECT_TRUE(GradOk("concat sizes differ",
                     [](const std::vector<Tensor>& in) {
                       return concat({in[0], in[1]}, 1);
                     },
                     {a, c}));
}

TEST(Concat, TensorUsedTwiceAndPiecesWithoutGrad) {
  Tensor a = randn({2, 2}).requires_grad_();
  const Tensor constant = randn({2, 3});
  EXPECT_TRUE(GradOk("concat(a, const, a)",
                     [&](const std::vector<Tensor>& in) {
                       return concat({in[0], constant, in[0]}, -1);
                     },
                     {a}));
  concat({a, constant, a}, -1).backward(ones({2, 7}));
  EXPECT_EQ(a.grad().tolist(), (std::vector<float>{2, 2, 2, 2}));
  EXPECT_FALSE(constant.has_grad());
}

TEST(Concat, AccumulatesOverTwoBackwardPasses) {
  Tensor a = zeros({1, 2}, true);
  const Tensor b = zeros({1, 1});
  concat({a, b}, 1).backward(tensor({1, 2, 3}, {1, 3}));
  concat({a, b}, 1).backward(tensor({10, 20, 30}, {1, 3}));
  EXPECT_EQ(a.grad().tolist(), (std::vector<float>{11, 22}));
}

TEST(Concat, RejectsBadInput) {
  EXPECT_BG_ERROR(concat({}, 0), "empty");
  EXPECT_BG_ERROR(concat({zeros({2, 3}), zeros({3, 3})}, 1), "[2, 3]", "[3, 3]");
  EXPECT_BG_ERROR(concat({zeros({2, 3}), zeros({2, 3, 1})}, 0), "[2, 3]", "[2, 3, 1]");
  EXPECT_BG_ERROR(concat({zeros({2, 3}), zeros({2, 3})}, 2), "[2, 3]");
}

// ============================================================ exercise 2: MultiHeadAttention

TEST(MultiHeadAttention, NamesParametersLikeThePyTorchStateDict) {
  MultiHeadAttention mha(8, 2, 4);
  const auto params = mha.named_parameters();
  const std::vector<std::string> names = {"heads.0.key.weight",   "heads.0.query.weight",
                                          "heads.0.value.weight", "heads.1.key.weight",
                                          "heads.1.query.weight", "heads.1.value.weight"};
  ASSERT_EQ(params.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(params[i].first, names[i]);
    EXPECT_EQ(params[i].second.shape(), (Shape{4, 8})) << names[i];
  }
  EXPECT_EQ(mha.head_size(), 4);
  EXPECT_EQ(mha.n_head(), 2);
  ASSERT_EQ(mha.heads.size(), 2u);
  // Same parameter count as one head of the full size: 3 · C · C.
  EXPECT_EQ(mha.num_parameters(), 3 * 8 * 8);
}

TEST(MultiHeadAttention, CreatesTheHeadsInOrderFromTheGenerator) {
  Generator g1(9), g2(9);
  MultiHeadAttention mha(12, 3, 5, g1);
  for (int h = 0; h < 3; ++h) {
    Head expected(12, 4, 5, g2);
    EXPECT_EQ(mha.heads[static_cast<size_t>(h)]->key.weight.tolist(), expected.key.weight.tolist());
    EXPECT_EQ(mha.heads[static_cast<size_t>(h)]->value.weight.tolist(),
              expected.value.weight.tolist());
  }
}

TEST(MultiHeadAttention, RejectsNEmbedNotDivisibleByNHead) {
  EXPECT_BG_ERROR(MultiHeadAttention(30, 4, 8), "n_embed 30", "n_head 4", "divisible");
  EXPECT_BG_ERROR(MultiHeadAttention(32, 0, 8), "n_head 0");
  EXPECT_BG_ERROR(MultiHeadAttention(-8, 2, 8), "n_embed -8");
}

TEST(MultiHeadAttention, MatchesPyTorchOutputsAndGradients) {
  // PyTorch's numbers (float32): tests/golden/data/multi_head.safetensors, made by
  // tests/golden/blocks_golden.py multi_head; n_embed 8, 2 heads of size 4:
  //   x = fill((2,4,8), 0.7, 0.1); head h, role r (0 key, 1 query, 2 value):
  //   W[h][r] = fill((4,8), 0.31 + 0.05*(3h+r), 0.2 + 0.9*(3h+r), 0.5)
  //   per head: k, q, v = x @ Wk.T, x @ Wq.T, x @ Wv.T
  //     wei = (q @ k.transpose(-2,-1) * k.size(-1)**-0.5)
  //             .masked_fill(torch.tril(torch.ones(4,4)) == 0, float('-inf')).softmax(-1)
  //   out = torch.cat([wei_h @ v_h for h in (0, 1)], -1)
  //   (out * fill(out.shape, 0.9, 0.3)).sum().backward()
  //   head h's gradients compared at once: torch.cat([Wk.grad, Wq.grad, Wv.grad])
  const testing::GoldenFile& golden = testing::golden_file("multi_head");
  MultiHeadAttention mha(8, 2, 4);
  for (int h = 0; h < 2; ++h) {
    Head& head = *mha.heads[static_cast<size_t>(h)];
    Linear* roles[] = {&head.key, &head.query, &head.value};
    for (int r = 0; r < 3; ++r) {
      copy_into(fill({4, 8}, 0.31 + 0.05 * (3 * h + r), 0.2 + 0.9 * (3 * h + r), 0.5),
                roles[r]->weight);
    }
  }
  Tensor x = fill({2, 4, 8}, 0.7, 0.1, 1.0, true);
  const Tensor out = mha(x);
  ASSERT_EQ(out.shape(), (Shape{2, 4, 8}));
  EXPECT_TRUE(AllClose(out, golden.values("out")));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad")));
  for (int h = 0; h < 2; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    const Tensor grads =
        concat({head.key.weight.grad(), head.query.weight.grad(), head.value.weight.grad()}, 0);
    const std::string prefix = "grad.heads." + std::to_string(h) + ".";
    EXPECT_TRUE(AllClose(grads, golden.concatenated({prefix + "key.weight", prefix + "query.weight",
                                                     prefix + "value.weight"})))
        << "head " << h;
  }
}

TEST(MultiHeadAttention, IsTheConcatenationOfItsHeads) {
  Generator gen(4);
  MultiHeadAttention mha(12, 3, 6, gen);
  const Tensor x = randn({2, 6, 12}, gen);
  std::vector<Tensor> weights;
  const Tensor out = mha.forward(x, &weights);
  ASSERT_EQ(out.shape(), (Shape{2, 6, 12}));
  ASSERT_EQ(weights.size(), 3u);
  for (int64_t h = 0; h < 3; ++h) {
    Tensor wei;
    const Tensor own = mha.heads[static_cast<size_t>(h)]->forward(x, &wei);  // (2, 6, 4)
    EXPECT_EQ(weights[static_cast<size_t>(h)].tolist(), wei.tolist());
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t t = 0; t < 6; ++t)
        for (int64_t c = 0; c < 4; ++c)
          EXPECT_EQ(out.at({b, t, h * 4 + c}), own.at({b, t, c})) << h << " " << b << " " << t;
  }
}

TEST(MultiHeadAttention, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(8);
  MultiHeadAttention mha(8, 4, 5, gen);
  const Tensor x = randn({1, 5, 8}, gen);
  const Tensor before = mha(x);
  for (int64_t t = 1; t < 5; ++t) {
    Tensor changed = x.detach();
    changed.at({0, t, 0}) -= 2.0f;
    const Tensor after = mha(changed);
    for (int64_t s = 0; s < t; ++s)
      for (int64_t c = 0; c < 8; ++c)
        EXPECT_EQ(after.at({0, s, c}), before.at({0, s, c}))
            << "changing position " << t << " changed the output at the earlier position " << s
            << ": the future must not leak into the past";
    EXPECT_NE(after.at({0, t, 0}), before.at({0, t, 0}))
        << "changing position " << t << " must change its own output (or this test proves nothing)";
  }
}

TEST(MultiHeadAttention, GradcheckInputAndWeights) {
  Generator gen(12);
  MultiHeadAttention mha(6, 2, 3, gen);
  std::vector<Tensor> inputs{randn({2, 3, 6}, gen).requires_grad_()};
  for (auto& head : mha.heads) {
    for (Linear* l : {&head->key, &head->query, &head->value}) {
      inputs.push_back(l->weight.detach().requires_grad_());
    }
  }
  EXPECT_TRUE(GradOk(
      "MultiHeadAttention",
      [&](const std::vector<Tensor>& in) {
        size_t i = 1;
        for (auto& head : mha.heads) {
          for (Linear* l : {&head->key, &head->query, &head->value}) {
            l->weight = in[i++];
          }
        }
        return mha(in[0]);
      },
      inputs));
}

// ============================================================ exercise 3: fused

TEST(FusedMultiHeadAttention, ComputesTheSameFunctionAsTheListOfHeads) {
  for (auto [C, nh] : {std::pair<int64_t, int64_t>{8, 2}, {32, 4}, {12, 1}, {12, 12}}) {
    Generator gen(static_cast<uint64_t>(C * 100 + nh));
    MultiHeadAttention mha(C, nh, 8, gen);
    FusedMultiHeadAttention fused(C, nh, 8, gen);
    fused.load_from(mha);
    Tensor x1 = randn({3, 8, C}, gen).requires_grad_();
    Tensor x2 = x1.detach().requires_grad_();
    const Tensor w = randn({3, 8, C}, gen);  // a fixed upstream gradient
    std::vector<Tensor> list_weights;
    Tensor fused_weights;
    const Tensor y1 = mha.forward(x1, &list_weights);
    const Tensor y2 = fused.forward(x2, &fused_weights);
    const std::string what = "C " + std::to_string(C) + " nh " + std::to_string(nh);
    EXPECT_TRUE(AllClose(y2, y1, 1e-5, 1e-5)) << what;
    // Attention weights: fused (B, nh, T, T) holds head h at [:, h].
    ASSERT_EQ(fused_weights.shape(), (Shape{3, nh, 8, 8})) << what;
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t h = 0; h < nh; ++h)
        for (int64_t t = 0; t < 8; ++t)
          for (int64_t j = 0; j < 8; ++j)
            EXPECT_NEAR(fused_weights.at({b, h, t, j}),
                        list_weights[static_cast<size_t>(h)].at({b, t, j}), 1e-5)
                << what;
    // Gradients: of the input, and of each head's rows of the fused weights.
    y1.backward(w);
    y2.backward(w);
    EXPECT_TRUE(AllClose(x2.grad(), x1.grad(), 1e-5, 1e-5)) << what;
    std::vector<Tensor> k, q, v;
    for (auto& head : mha.heads) {
      k.push_back(head->key.weight.grad());
      q.push_back(head->query.weight.grad());
      v.push_back(head->value.weight.grad());
    }
    EXPECT_TRUE(AllClose(fused.key.weight.grad(), concat(k, 0), 1e-5, 1e-5)) << what;
    EXPECT_TRUE(AllClose(fused.query.weight.grad(), concat(q, 0), 1e-5, 1e-5)) << what;
    EXPECT_TRUE(AllClose(fused.value.weight.grad(), concat(v, 0), 1e-5, 1e-5)) << what;
  }
}

TEST(FusedMultiHeadAttention, ShorterSequencesAndCausality) {
  Generator gen(21);
  FusedMultiHeadAttention fused(8, 2, 6, gen);
  const Tensor x = randn({2, 4, 8}, gen);  // T = 4 < block_size 6
  const Tensor before = fused(x);
  ASSERT_EQ(before.shape(), (Shape{2, 4, 8}));
  Tensor changed = x.detach();
  changed.at({1, 2, 5}) += 1.0f;
  const Tensor after = fused(changed);
  for (int64_t t = 0; t < 2; ++t)
    for (int64_t c = 0; c < 8; ++c) EXPECT_EQ(after.at({1, t, c}), before.at({1, t, c}));
  EXPECT_NE(after.at({1, 2, 0}), before.at({1, 2, 0}));
}

TEST(FusedMultiHeadAttention, GradcheckInputAndWeights) {
  Generator gen(13);
  FusedMultiHeadAttention fused(6, 3, 4, gen);
  const Tensor x = randn({2, 4, 6}, gen).requires_grad_();
  const Tensor wk = fused.key.weight.detach().requires_grad_();
  const Tensor wq = fused.query.weight.detach().requires_grad_();
  const Tensor wv = fused.value.weight.detach().requires_grad_();
  EXPECT_TRUE(GradOk("FusedMultiHeadAttention",
                     [&](const std::vector<Tensor>& in) {
                       fused.key.weight = in[1];
                       fused.query.weight = in[2];
                       fused.value.weight = in[3];
                       return fused(in[0]);
                     },
                     {x, wk, wq, wv}));
}

TEST(FusedMultiHeadAttention, RejectsBadInputShapes) {
  FusedMultiHeadAttention fused(8, 2, 4);
  EXPECT_BG_ERROR(fused(zeros({1, 5, 8})), "[1, 5, 8]", "block_size 4");
  EXPECT_BG_ERROR(fused(zeros({1, 4, 6})), "[1, 4, 6]");
  EXPECT_BG_ERROR(fused(zeros({4, 8})), "[4, 8]");
}

}  // namespace
}  // namespace bg
