// Lesson 03, exercise 6: sum, mean, max over a dimension or over everything (suite
// Reductions).
//
// Golden values were computed with PyTorch (torch 2.x, float32):
//   T = torch.tensor([((i * 7) % 24 - 11.5) / 4 for i in range(24)]).reshape(2, 3, 4)
//   torch.sum(T, dim=d, keepdim=k), torch.mean(...), torch.max(T, dim=d, keepdim=k).values
//   max's gradient: x.requires_grad_(); out = torch.max(x, dim=d).values
//                   out.backward(torch.arange(1., out.numel() + 1).reshape(out.shape))
// T's values are distinct (7 and 24 are coprime), so every maximum is unique.
#include <string>
#include <vector>

#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::Shape;
using bg::Tensor;
using bg::testing::AllClose;
using bg::testing::GradOk;

Tensor T() {
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i)
    v[static_cast<size_t>(i)] = static_cast<float>((i * 7) % 24) / 4.0f - 2.875f;
  return bg::tensor(std::move(v), {2, 3, 4}, true);
}

Tensor upstream(const Shape& s) {  // 1, 2, 3, ... in shape s
  return bg::reshape(bg::arange(1.0f, static_cast<float>(bg::numel(s)) + 1.0f), s);
}

struct DimCase {
  int64_t dim;
  Shape shape, keepdim_shape;
  std::vector<float> sum, mean, max, max_grad;  // max_grad: upstream 1, 2, 3, ...
};

const std::vector<DimCase>& DimCases() {
  static const std::vector<DimCase> cases = {
      {0,
       {3, 4},
       {1, 3, 4},
       {-2.75f, 0.75f, -1.75f, 1.75f, -0.75f, 2.75f, 0.25f, -2.25f, 1.25f, -1.25f, 2.25f, -0.25f},
       {-1.375f, 0.375f, -0.875f, 0.875f, -0.375f, 1.375f, 0.125f, -1.125f, 0.625f, -0.625f, 1.125f,
        -0.125f},
       {0.125f, 1.875f, 0.625f, 2.375f, 1.125f, 2.875f, 1.625f, 0.375f, 2.125f, 0.875f, 2.625f,
        1.375f},
       {0, 0, 3, 4, 0, 0, 7, 0, 0, 10, 11, 0, 1, 2, 0, 0, 5, 6, 0, 8, 9, 0, 0, 12}},
      {1,
       {2, 4},
       {2, 1, 4},
       {-5.625f, -0.375f, 4.875f, -1.875f, 3.375f, 2.625f, -4.125f, 1.125f},
       {-1.875f, -0.125f, 1.625f, -0.625f, 1.125f, 0.875f, -1.375f, 0.375f},
       {-0.875f, 0.875f, 2.625f, 2.375f, 2.125f, 2.875f, -0.375f, 1.375f},
       {0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 6, 0, 0, 5, 0, 7, 8}},
      {2,
       {2, 3},
       {2, 3, 1},
       {-1, -3, 1, -1, 3, 1},
       {-0.25f, -0.75f, 0.25f, -0.25f, 0.75f, 0.25f},
       {2.375f, 1.625f, 2.625f, 1.875f, 2.875f, 2.125f},
       {0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 4, 0, 0, 0, 5, 0, 0, 6, 0, 0, 0}},
  };
  return cases;
}

TEST(Reductions, SumMeanMaxOverEachDimMatchPyTorch) {
  for (const DimCase& c : DimCases()) {
    for (bool keepdim : {false, true}) {
      BG_TRACE("dim " + std::to_string(c.dim) + (keepdim ? " keepdim" : ""));
      const Shape want = keepdim ? c.keepdim_shape : c.shape;
      const Tensor s = bg::sum(T(), c.dim, keepdim);
      const Tensor m = bg::mean(T(), c.dim, keepdim);
      const Tensor x = bg::max(T(), c.dim, keepdim);
      EXPECT_EQ(s.shape(), want);
      EXPECT_EQ(m.shape(), want);
      EXPECT_EQ(x.shape(), want);
      EXPECT_TRUE(AllClose(s, c.sum));
      EXPECT_TRUE(AllClose(m, c.mean));
      EXPECT_TRUE(AllClose(x, c.max));
    }
  }
}

TEST(Reductions, NegativeDimsCountFromTheEnd) {
  for (const DimCase& c : DimCases()) {
    const int64_t neg = c.dim - 3;  // -3, -2, -1
    BG_TRACE("dim " + std::to_string(neg));
    EXPECT_EQ(bg::sum(T(), neg).shape(), c.shape);
    EXPECT_TRUE(AllClose(bg::sum(T(), neg), c.sum));
    EXPECT_TRUE(AllClose(bg::mean(T(), neg, true), c.mean));
    EXPECT_EQ(bg::max(T(), neg, true).shape(), c.keepdim_shape);
    EXPECT_TRUE(AllClose(bg::max(T(), neg), c.max));
  }
}

TEST(Reductions, SumAndMeanGradientsSpreadEvenly) {
  for (const DimCase& c : DimCases()) {
    for (bool keepdim : {false, true}) {
      BG_TRACE("dim " + std::to_string(c.dim) + (keepdim ? " keepdim" : ""));
      const Shape out_shape = keepdim ? c.keepdim_shape : c.shape;
      const Tensor a = T();
      bg::sum(a, c.dim, keepdim).backward(upstream(out_shape));
      const Tensor b = T();
      bg::mean(b, c.dim, keepdim).backward(upstream(out_shape));
      // Element (o, j, i) of the input gets upstream (o, i): expand the upstream by hand.
      const Shape full = {2, 3, 4};
      std::vector<float> want_sum(24), want_mean(24);
      const int64_t n = full[static_cast<size_t>(c.dim)];
      for (int64_t k = 0; k < 24; ++k) {
        const int64_t idx[3] = {k / 12, (k / 4) % 3, k % 4};
        int64_t o = 0;  // the flat index of the output element this input element went to
        for (int d = 0; d < 3; ++d) {
          if (d != c.dim) o = o * full[static_cast<size_t>(d)] + idx[d];
        }
        want_sum[static_cast<size_t>(k)] = static_cast<float>(o + 1);
        want_mean[static_cast<size_t>(k)] = static_cast<float>(o + 1) / static_cast<float>(n);
      }
      EXPECT_TRUE(AllClose(a.grad(), want_sum));
      EXPECT_TRUE(AllClose(b.grad(), want_mean));
    }
  }
}

TEST(Reductions, MaxGradientGoesToTheMaximumMatchesPyTorch) {
  for (const DimCase& c : DimCases()) {
    for (bool keepdim : {false, true}) {
      BG_TRACE("dim " + std::to_string(c.dim) + (keepdim ? " keepdim" : ""));
      const Tensor a = T();
      bg::max(a, c.dim, keepdim).backward(upstream(keepdim ? c.keepdim_shape : c.shape));
      EXPECT_TRUE(AllClose(a.grad(), c.max_grad));
    }
  }
}

TEST(Reductions, MaxTiesSendTheGradientToTheFirstMaximum) {
  // PyTorch: torch.max(x, dim) returns the index of the first maximal value and its
  // gradient goes there only.
  Tensor x = bg::tensor({1, 3, 3, 2, 2, 1}, {2, 3}, true);
  const Tensor m1 = bg::max(x, 1);
  EXPECT_TRUE(AllClose(m1, {3, 2}));
  m1.backward(bg::ones({2}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 1, 0, 1, 0, 0}));
  x.zero_grad();
  bg::max(x, 0).backward(bg::ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 1, 1, 1, 0, 0}));
  // Over everything: all to the first 3. (torch.max(x) without a dim spreads a tie evenly,
  // [0, .5, .5, 0, 0, 0]; this engine keeps max(dim)'s rule everywhere.)
  x.zero_grad();
  bg::max(x).backward();
  EXPECT_TRUE(AllClose(x.grad(), {0, 1, 0, 0, 0, 0}));
  const Tensor same = bg::tensor({-4, -4, -4}, {3}, true);
  bg::max(same, -1).backward();
  EXPECT_TRUE(AllClose(same.grad(), {1, 0, 0}));
}

TEST(Reductions, OverEverything) {
  Tensor a = bg::tensor({0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f}, {2, 3}, true);
  const Tensor s = bg::sum(a);
  const Tensor m = bg::mean(a);
  const Tensor x = bg::max(a);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(m.shape(), Shape{});
  EXPECT_EQ(x.shape(), Shape{});
  EXPECT_FLOAT_EQ(s.item(), 2.5f);
  EXPECT_FLOAT_EQ(m.item(), 2.5f / 6.0f);
  EXPECT_FLOAT_EQ(x.item(), 2.0f);
  s.backward();
  EXPECT_TRUE(AllClose(a.grad(), {1, 1, 1, 1, 1, 1}));
  a.zero_grad();
  m.backward();
  EXPECT_TRUE(AllClose(a.grad(), std::vector<float>(6, 1.0f / 6.0f)));
  a.zero_grad();
  x.backward();
  EXPECT_TRUE(AllClose(a.grad(), {0, 0, 1, 0, 0, 0}));
  // A scalar is its own sum, mean and max.
  const Tensor one = bg::scalar(-3.0f, true);
  EXPECT_FLOAT_EQ(bg::sum(one).item(), -3.0f);
  EXPECT_FLOAT_EQ(bg::mean(one).item(), -3.0f);
  EXPECT_FLOAT_EQ(bg::max(one).item(), -3.0f);
}

TEST(Reductions, Gradcheck) {
  const Tensor a = T();
  for (int64_t dim : {0, 1, 2, -1}) {
    for (bool keepdim : {false, true}) {
      const std::string tag = " dim " + std::to_string(dim) + (keepdim ? " keepdim" : "");
      EXPECT_TRUE(GradOk("sum" + tag,
                         [=](const std::vector<Tensor>& x) { return bg::sum(x[0], dim, keepdim); },
                         {a}));
      EXPECT_TRUE(GradOk("mean" + tag,
                         [=](const std::vector<Tensor>& x) { return bg::mean(x[0], dim, keepdim); },
                         {a}));
      // T's values are 0.25 apart, more than 2·eps: the maximum does not move in the check.
      EXPECT_TRUE(GradOk("max" + tag,
                         [=](const std::vector<Tensor>& x) { return bg::max(x[0], dim, keepdim); },
                         {a}));
    }
  }
  EXPECT_TRUE(GradOk("sum all", [](const std::vector<Tensor>& x) { return bg::sum(x[0]); }, {a}));
  EXPECT_TRUE(GradOk("mean all", [](const std::vector<Tensor>& x) { return bg::mean(x[0]); }, {a}));
  EXPECT_TRUE(GradOk("max all", [](const std::vector<Tensor>& x) { return bg::max(x[0]); }, {a}));
}

TEST(Reductions, TensorUsedTwice) {
  // Two reductions of the same tensor add into one gradient buffer.
  EXPECT_TRUE(GradOk("sum + max + mean",
                     [](const std::vector<Tensor>& x) {
                       return bg::sum(x[0], 1) + bg::max(x[0], 1) * 0.5f + bg::mean(x[0], 1);
                     },
                     {T()}));
  const Tensor a = bg::tensor({1, 5, 2}, {3}, true);
  (bg::sum(a) + bg::max(a)).backward();
  EXPECT_TRUE(AllClose(a.grad(), {1, 2, 1}));
}

TEST(Reductions, GradientsAccumulateOverTwoBackwardPasses) {
  const Tensor a = bg::tensor({1, 5, 2, -1}, {2, 2}, true);
  for (int pass = 0; pass < 2; ++pass) {
    bg::sum(a, 0).backward(bg::ones({2}));
    bg::mean(a, 1).backward(bg::ones({2}));
    bg::max(a, -1).backward(bg::ones({2}));
  }
  // per pass: sum 1 each; mean 0.5 each; max: 5 (index 1) and 2 (index 2)
  EXPECT_TRUE(AllClose(a.grad(), {3, 5, 5, 3}));
}

TEST(Reductions, BadDimShowsTheDimAndTheShape) {
  const Tensor a = bg::tensor({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  EXPECT_BG_ERROR(bg::sum(a, 2), "2", "[2, 3]");
  EXPECT_BG_ERROR(bg::sum(a, -3, true), "-3", "[2, 3]");
  EXPECT_BG_ERROR(bg::mean(a, 5), "5", "[2, 3]");
  EXPECT_BG_ERROR(bg::mean(a, -3), "-3", "[2, 3]");
  EXPECT_BG_ERROR(bg::max(a, 2), "2", "[2, 3]");
  EXPECT_BG_ERROR(bg::max(a, -3, true), "-3", "[2, 3]");
}

TEST(Reductions, MaxOfAnEmptyDimensionIsAnError) {
  EXPECT_BG_ERROR(bg::max(bg::zeros({2, 0}), 1), "[2, 0]");
  // Summing nothing is fine: 0, like PyTorch.
  const Tensor s = bg::sum(bg::zeros({2, 0}), 1);
  EXPECT_EQ(s.shape(), (Shape{2}));
  EXPECT_TRUE(AllClose(s, {0, 0}));
}

}  // namespace
