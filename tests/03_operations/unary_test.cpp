// Lesson 03, exercise 5: exp, log, tanh, relu, sqrt, pow (suite Unary).
//
// Golden values were computed with PyTorch (torch 2.x, float32):
//   X = torch.tensor([-2., -.5, 0., .3, 1., 2.5]); P = torch.tensor([.1, .5, 1., 2., 4., 9.])
//   G = torch.tensor([1., -2., .5, 3., -1., .25])          # the upstream gradient
//   x = X.clone().requires_grad_(); y = torch.tanh(x); y.backward(G); print(y, x.grad)
// and the same for each function below.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::Shape;
using bg::Tensor;
using bg::testing::AllClose;
using bg::testing::GradOk;

Tensor X() { return bg::tensor({-2.0f, -0.5f, 0.0f, 0.3f, 1.0f, 2.5f}, {6}, true); }
Tensor P() { return bg::tensor({0.1f, 0.5f, 1.0f, 2.0f, 4.0f, 9.0f}, {6}, true); }
Tensor G() { return bg::tensor({1.0f, -2.0f, 0.5f, 3.0f, -1.0f, 0.25f}, {6}); }

struct Case {
  const char* name;
  std::function<Tensor(const Tensor&)> f;
  bool positive_input;  // P instead of X
  std::vector<float> out, grad;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"exp",
       [](const Tensor& x) { return bg::exp(x); },
       false,
       {0.135335281f, 0.606530666f, 1, 1.34985876f, 2.71828175f, 12.1824942f},
       {0.135335281f, -1.21306133f, 0.5f, 4.04957628f, -2.71828175f, 3.04562354f}},
      {"tanh",
       [](const Tensor& x) { return bg::tanh(x); },
       false,
       {-0.964027584f, -0.462117165f, 0, 0.291312635f, 0.761594176f, 0.986614287f},
       {0.070650816f, -1.57289541f, 0.5f, 2.74541092f, -0.419974297f, 0.00664806226f}},
      {"relu",
       [](const Tensor& x) { return bg::relu(x); },
       false,
       {0, 0, 0, 0.3f, 1, 2.5f},
       {0, 0, 0, 3, -1, 0.25f}},  // no gradient at x = 0, like PyTorch
      {"log",
       [](const Tensor& x) { return bg::log(x); },
       true,
       {-2.30258512f, -0.693147182f, 0, 0.693147182f, 1.38629436f, 2.19722462f},
       {10, -4, 0.5f, 1.5f, -0.25f, 0.027777778f}},
      {"sqrt",
       [](const Tensor& x) { return bg::sqrt(x); },
       true,
       {0.316227764f, 0.707106769f, 1, 1.41421354f, 2, 3},
       {1.58113885f, -1.41421354f, 0.25f, 1.06066024f, -0.25f, 0.0416666679f}},
      {"pow 2",
       [](const Tensor& x) { return bg::pow(x, 2.0f); },
       false,
       {4, 0.25f, 0, 0.09f, 1, 6.25f},
       {-4, 2, 0, 1.8f, -2, 1.25f}},
      {"pow 3",
       [](const Tensor& x) { return bg::pow(x, 3.0f); },
       false,
       {-8, -0.125f, 0, 0.027f, 1, 15.625f},
       {12, -1.5f, 0, 0.81f, -3, 4.6875f}},
      {"pow 0",
       [](const Tensor& x) { return bg::pow(x, 0.0f); },
       false,
       {1, 1, 1, 1, 1, 1},
       {0, 0, 0, 0, 0, 0}},  // 0 also at x = 0 (not 0 * inf = NaN)
      {"pow 0.5",
       [](const Tensor& x) { return bg::pow(x, 0.5f); },
       true,
       {0.316227764f, 0.707106769f, 1, 1.41421354f, 2, 3},
       {1.58113885f, -1.41421354f, 0.25f, 1.06066012f, -0.25f, 0.0416666679f}},
      {"pow -1.5",
       [](const Tensor& x) { return bg::pow(x, -1.5f); },
       true,
       {31.622776f, 2.82842708f, 1, 0.353553385f, 0.125f, 0.0370370373f},
       {-474.341614f, 16.970562f, -0.75f, -0.795495093f, 0.046875f, -0.00154320989f}},
  };
  return cases;
}

TEST(Unary, ValuesAndGradientsMatchPyTorch) {
  for (const Case& c : Cases()) {
    BG_TRACE(c.name);
    const Tensor x = c.positive_input ? P() : X();
    const Tensor y = c.f(x);
    EXPECT_EQ(y.shape(), (Shape{6}));
    EXPECT_TRUE(AllClose(y, c.out, 1e-6, 1e-5));
    y.backward(G());
    ASSERT_TRUE(x.has_grad());
    EXPECT_TRUE(AllClose(x.grad(), c.grad, 1e-6, 1e-5));
  }
}

TEST(Unary, KeepsTheShape) {
  const Tensor m = bg::tensor({0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f}, {2, 1, 3});
  for (const Case& c : Cases()) EXPECT_EQ(c.f(m).shape(), (Shape{2, 1, 3})) << c.name;
  EXPECT_EQ(bg::exp(bg::scalar(0.0f)).shape(), Shape{});
  EXPECT_FLOAT_EQ(bg::exp(bg::scalar(0.0f)).item(), 1.0f);
}

TEST(Unary, Gradcheck) {
  // Inputs away from the kinks and singularities: relu at 0, log/sqrt/pow at x <= 0.
  const Tensor mixed = bg::tensor({-1.7f, -0.6f, -0.2f, 0.15f, 0.4f, 1.3f}, {2, 3}, true);
  const Tensor positive = bg::tensor({0.3f, 0.7f, 1.1f, 1.6f, 2.2f, 3.0f}, {2, 3}, true);
  for (const Case& c : Cases()) {
    const auto f = c.f;
    EXPECT_TRUE(GradOk(c.name, [f](const std::vector<Tensor>& x) { return f(x[0]); },
                       {c.positive_input ? positive : mixed}));
  }
  // pow with a negative base and an integer exponent, and a negative exponent.
  EXPECT_TRUE(
      GradOk("pow -2", [](const std::vector<Tensor>& x) { return bg::pow(x[0], -2.0f); }, {mixed}));
}

TEST(Unary, SpecialValuesLikePyTorch) {
  const Tensor z = bg::tensor({0.0f}, {1});
  EXPECT_EQ(bg::log(z).item(), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(bg::log(bg::tensor({-1.0f}, {1})).item()));
  EXPECT_EQ(bg::sqrt(z).item(), 0.0f);
  EXPECT_EQ(bg::exp(bg::tensor({-200.0f}, {1})).item(), 0.0f);
  EXPECT_EQ(bg::tanh(bg::tensor({50.0f}, {1})).item(), 1.0f);
}

TEST(Unary, TensorUsedTwice) {
  // exp(x) + tanh(x) and x * relu(x): two backward functions add into x's gradient.
  const Tensor x = bg::tensor({-1.2f, 0.4f, 2.0f}, {3}, true);
  EXPECT_TRUE(GradOk("exp + tanh",
                     [](const std::vector<Tensor>& v) { return bg::exp(v[0]) + bg::tanh(v[0]); },
                     {x}));
  EXPECT_TRUE(GradOk("x * relu x",
                     [](const std::vector<Tensor>& v) { return v[0] * bg::relu(v[0]); }, {x}));
  const Tensor y = bg::tensor({0.5f, 2.0f}, {2}, true);
  (bg::log(y) + bg::sqrt(y)).backward(bg::ones({2}));
  EXPECT_TRUE(AllClose(y.grad(), {2.0f + 0.5f / std::sqrt(0.5f), 0.5f + 0.5f / std::sqrt(2.0f)}));
}

TEST(Unary, GradientsAccumulateOverTwoBackwardPasses) {
  for (const Case& c : Cases()) {
    BG_TRACE(c.name);
    const Tensor x = c.positive_input ? P() : X();
    c.f(x).backward(G());
    c.f(x).backward(G());
    std::vector<float> twice = c.grad;
    for (float& v : twice) v *= 2;
    EXPECT_TRUE(AllClose(x.grad(), twice, 1e-6, 1e-5));
  }
}

TEST(Unary, Composition) {
  // tanh(exp(x)) · sqrt(x²+1) / ... a small network of unary ops.
  EXPECT_TRUE(GradOk("composition",
                     [](const std::vector<Tensor>& v) {
                       return bg::tanh(bg::exp(v[0]) * 0.5f) *
                                  bg::sqrt(bg::pow(v[0], 2.0f) + 1.0f) +
                              bg::log(bg::relu(v[0]) + 1.0f);
                     },
                     {bg::tensor({-1.0f, -0.3f, 0.2f, 0.9f}, {2, 2}, true)}));
}

}  // namespace
