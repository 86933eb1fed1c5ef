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
  // Made with PyTorch 2 (float32), n_embed 8, 2 heads of size 4:
  //   x = fill((2,4,8), 0.7, 0.1); head h, role r (0 key, 1 query, 2 value):
  //   W[h][r] = fill((4,8), 0.31 + 0.05*(3h+r), 0.2 + 0.9*(3h+r), 0.5)
  //   per head: k, q, v = x @ Wk.T, x @ Wq.T, x @ Wv.T
  //     wei = (q @ k.transpose(-2,-1) * k.size(-1)**-0.5)
  //             .masked_fill(torch.tril(torch.ones(4,4)) == 0, float('-inf')).softmax(-1)
  //   out = torch.cat([wei_h @ v_h for h in (0, 1)], -1)
  //   (out * fill(out.shape, 0.9, 0.3)).sum().backward()
  //   dW_h below = torch.cat([Wk.grad, Wq.grad, Wv.grad]) of head h
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
  EXPECT_TRUE(AllClose(
      out, {1.4413321f,    -1.2766998f,   1.0876493f,   -0.87779647f, -1.4683388f,   -1.1009073f,
            1.9754232f,    0.19101574f,   0.46531349f,  -0.29715139f, 0.12330598f,   0.052897796f,
            -0.33338398f,  -1.442367f,    0.99774683f,  0.98279911f,  -0.47383231f,  0.59507537f,
            -0.70493686f,  0.80131584f,   0.91090053f,  -1.277145f,   -0.32264003f,  1.4257549f,
            -0.18069249f,  0.28622073f,   -0.38627458f, 0.47894055f,  1.5906031f,    -0.65696108f,
            -1.288003f,    1.2502228f,    -1.8639514f,  1.738853f,    -1.5804971f,   1.3919126f,
            2.0033154f,    0.59476066f,   -2.2772655f,  0.45416132f,  -1.2030758f,   1.0380564f,
            -0.85318327f,  0.65199208f,   1.1480047f,   1.2118064f,   -1.7061696f,   -0.42593446f,
            -0.091969356f, -0.059411734f, 0.20965642f,  -0.35589123f, -0.090179294f, 1.3997386f,
            -0.55454856f,  -1.1443102f,   0.35232431f,  -0.45727059f, 0.55347103f,   -0.63908577f,
            -1.0819917f,   1.0271212f,    0.60889363f,  -1.3075811f}));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(
      x.grad(),
      {-0.19909422f, 0.029818743f,  0.20988248f,    0.28226584f,  0.22756074f,  0.071904734f,
       -0.12200753f, -0.27612764f,  0.59648252f,    0.60441148f,  0.43280458f,  0.096364081f,
       -0.3348107f,  -0.75146437f,  -1.0350966f,    -1.0929441f,  0.81299818f,  0.58400398f,
       0.18982643f,  -0.28889424f,  -0.74242485f,   -1.059595f,   -1.1573052f,  -1.0036421f,
       0.11008218f,  -0.13898258f,  -0.38179171f,   -0.55345982f, -0.60464436f, -0.51590735f,
       -0.30397806f, -0.017988926f, -0.34790576f,   -0.63484156f, -0.73632008f, -0.61344755f,
       -0.29602098f, 0.12461829f,   0.52197516f,    0.77226007f,  -0.69610316f, -0.69045752f,
       -0.49073061f, -0.12849402f,  0.31340396f,    0.7219339f,   0.985089f,    1.0241746f,
       -0.62435532f, -0.3420192f,   0.028439507f,   0.4022921f,   0.6924631f,   0.83191043f,
       0.79074836f,  0.58343703f,   -0.0089944974f, 0.12970312f,  0.21810526f,  0.22093038f,
       0.13129061f,  -0.026155854f, -0.20213716f,   -0.33780023f}));
  const std::vector<std::vector<float>> dw = {
      {0.1513866f,    0.089050785f,  -0.015167025f, -0.11225153f,  -0.15654241f,  -0.12720892f,
       -0.038047105f, 0.06900885f,   -0.21201082f,  -0.17781082f,  -0.059983589f, 0.086054839f,
       0.19162033f,   0.20706381f,   0.12512194f,   -0.015666746f, 0.25820953f,   0.25447232f,
       0.13105279f,   -0.054002877f, -0.21366017f,  -0.27282977f,  -0.20368324f,  -0.038741298f,
       -0.28683928f,  -0.3138192f,   -0.19320501f,  0.018276485f,  0.22116224f,   0.320032f,
       0.26838565f,   0.090513356f,  0.20271222f,   0.06160035f,   -0.10848315f,  -0.22754531f,
       -0.23958935f,  -0.13895079f,  0.027038509f,  0.18031117f,   -0.44488966f,  -0.20984843f,
       0.12388781f,   0.39935768f,   0.48700339f,   0.34560376f,   0.041661352f,  -0.2818751f,
       0.49933678f,   0.26954666f,   -0.087015465f, -0.40265283f,  -0.5289163f,   -0.40642214f,
       -0.09278132f,  0.26449603f,   -0.34307852f,  -0.21550415f,  0.013425176f,  0.23604043f,
       0.34764215f,   0.29574239f,   0.10475032f,   -0.13550746f,  -0.73544937f,  1.5683894f,
       3.1345904f,    3.2265441f,    1.8010042f,    -0.47157648f,  -2.5223672f,   -3.3868499f,
       1.3176388f,    2.2823265f,    2.1736007f,    1.0425963f,    -0.57875741f,  -1.9279126f,
       -2.3703401f,   -1.6979599f,   2.3735642f,    1.2690445f,    -0.43232679f,  -1.9303678f,
       -2.5205269f,   -1.9252428f,   -0.42448673f,  1.2759118f,    1.6332235f,    -0.70462525f,
       -2.7110779f,   -3.4424682f,   -2.554812f,    -0.46558762f,  1.8426098f,    3.284199f},
      {-0.14269465f,  -0.11005856f,  -0.025660224f,  0.070806518f,  0.13397186f,   0.13412814f,
       0.071201853f,  -0.025211768f, -0.21919733f,   -0.29697466f,  -0.23508015f,  -0.062623799f,
       0.13928552f,   0.27568665f,   0.28242809f,    0.15633914f,   0.40181816f,   0.46112633f,
       0.30355954f,   0.0032240076f, -0.29862782f,   -0.46003032f,  -0.40507337f,  -0.15960412f,
       -0.25581068f,  -0.24814431f,  -0.12377179f,   0.058812555f,  0.21373643f,   0.26813671f,
       0.19642811f,   0.032336295f,  -0.23735794f,   -0.088646971f, 0.10175606f,   0.24430163f,
       0.27194831f,   0.17169347f,   -0.0093114981f, -0.18593712f,  -0.085005268f, -0.074541979f,
       -0.029020421f, 0.030149888f,  0.075140245f,   0.08479096f,   0.054563168f,  -0.0013265316f,
       0.38331646f,   0.21663952f,   -0.051926438f,  -0.29607055f,  -0.40096804f,  -0.31728402f,
       -0.08437635f,  0.18821484f,   -0.57316935f,   -0.29743946f,  0.11818086f,   0.47821885f,
       0.61334306f,   0.46000242f,   0.090315491f,   -0.32184827f,  -0.51792365f,  -2.4835513f,
       -3.281126f,    -2.5355358f,   -0.59744358f,   1.6216357f,    3.0780344f,    3.0867856f,
       -2.5339646f,   -2.8078144f,   -1.7611052f,    0.11387902f,   1.9353044f,    2.8465259f,
       2.418982f,     0.85375279f,   -2.6323514f,    -1.0071794f,   1.0916849f,    2.6771126f,
       3.0034528f,    1.9172217f,    -0.070708394f,  -2.0253832f,   -0.73862731f,  1.5556688f,
       3.1183097f,    3.2143607f,    1.7986476f,     -0.46299741f,  -2.5068877f,   -3.3717492f}};
  for (int h = 0; h < 2; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    const Tensor grads =
        concat({head.key.weight.grad(), head.query.weight.grad(), head.value.weight.grad()}, 0);
    EXPECT_TRUE(AllClose(grads, dw[static_cast<size_t>(h)])) << "head " << h;
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
