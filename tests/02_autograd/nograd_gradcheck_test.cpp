// Lesson 02, exercises 3 and 5: NoGradGuard and gradcheck.
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using ::bg::testing::Mentions;

using testing::AllClose;
using testing::GradOk;

// ---- exercise 3 ----------------------------------------------------------------------------

TEST(Ex3NoGrad, NothingIsRecorded) {
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor y;
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    y = x * 2.0f + 1.0f;
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.node().parents.empty());
  EXPECT_TRUE(y.is_leaf());
  EXPECT_TRUE(AllClose(y, {3, 5}));
}

TEST(Ex3NoGrad, NestedGuardsRestoreThePreviousState) {
  {
    NoGradGuard outer;
    {
      NoGradGuard inner;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled()) << "the inner guard switched recording back on";
  }
  EXPECT_TRUE(grad_enabled());
}

TEST(Ex3NoGrad, RestoresAStateThatWasAlreadyOff) {
  set_grad_enabled(false);
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_FALSE(grad_enabled());
  set_grad_enabled(true);
}

TEST(Ex3NoGrad, RestoresOnException) {
  try {
    NoGradGuard guard;
    throw Error("boom");
  } catch (const Error&) {
  }
  EXPECT_TRUE(grad_enabled());
}

TEST(Ex3NoGrad, RecordingResumesAfterTheGuard) {
  Tensor x = tensor({1, 2}, {2}, true);
  { NoGradGuard guard; }
  Tensor y = (x * x).sum();
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  ASSERT_EQ(y.node().parents.size(), 1u);  // sum's input, x * x
  EXPECT_TRUE(y.node().parents[0].requires_grad());
  EXPECT_FALSE(y.node().parents[0].is_leaf());
}

// ---- exercise 5 ----------------------------------------------------------------------------

TEST(Ex5Gradcheck, PassesOnCorrectOps) {
  Tensor a = tensor({0.3f, -1.2f, 2.0f, 0.7f, -0.4f, 1.1f}, {2, 3}, true);
  Tensor b = tensor({1.3f, 0.2f, -0.9f}, {3}, true);
  EXPECT_TRUE(GradOk("mul", [](const std::vector<Tensor>& in) { return in[0] * in[1]; }, {a, b}));
  EXPECT_TRUE(GradOk(
      "exp_sum", [](const std::vector<Tensor>& in) { return (in[0].exp() + in[0]).sum(); }, {a}));
  EXPECT_TRUE(GradOk("x*x", [](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {b}));
}

TEST(Ex5Gradcheck, ReportsTheLargestError) {
  Tensor a = tensor({0.3f, -1.2f}, {2}, true);
  const auto r = gradcheck("tanh", [](const std::vector<Tensor>& in) { return in[0].tanh(); }, {a});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.message.empty());
  EXPECT_LT(r.max_abs_error, 1e-3);
  EXPECT_GT(r.max_abs_error, 0.0);  // finite differences are never exact
}

// A deliberately wrong op: y = 3x with a backward that sends 2 * grad instead of 3 * grad
// to every element except the first.
Tensor wrong_triple(const Tensor& x) {
  std::vector<float> out(x.data().begin(), x.data().end());
  for (float& v : out) v *= 3.0f;
  return make_result(
      std::move(out), x.shape(), {x},
      [](const Node& o) {
        Node& in = o.parents[0].node();
        if (!in.requires_grad) return;
        std::span<float> g = grad_buffer(in);
        for (size_t i = 0; i < g.size(); ++i) g[i] += (i == 0 ? 3.0f : 2.0f) * o.grad[i];
      },
      "wrong_triple");
}

TEST(Ex5Gradcheck, FailsOnAWrongBackwardAndNamesInputAndIndex) {
  Tensor c = tensor({1.0f}, {1}, true);  // input 0: correct, unused
  Tensor x = tensor({0.5f, 1.0f, -1.0f, 2.0f}, {2, 2}, true);
  const auto r =
      gradcheck("wrong_triple",
                [](const std::vector<Tensor>& in) { return wrong_triple(in[1]) + in[0]; }, {c, x});
  EXPECT_FALSE(r.ok);
  // the first wrong element: input 1, flat index 1, multi-index [0, 1]
  EXPECT_TRUE(Mentions(r.message, "gradcheck wrong_triple: input 1, index 1 [0, 1]: analytic ",
                       "the gradcheck message"));
  EXPECT_NEAR(r.max_abs_error, std::abs(2.0 - 3.0) * 1.0, 1.0);
  EXPECT_TRUE(r.max_abs_error > 0.1);
}

TEST(Ex5Gradcheck, MessageFormat) {
  // A scalar input with a backward that gives exactly 0.5 while the truth is the weight w:
  // f(x) = 3x, analytic from wrong_triple is 3 for element 0, so use element 1 of a {2} input.
  Tensor x = tensor({1.0f, 2.0f}, {2}, true);
  GradcheckOptions opt;
  opt.seed = 7;
  const auto r = gradcheck(
      "w3", [](const std::vector<Tensor>& in) { return wrong_triple(in[0]); }, {x}, opt);
  ASSERT_FALSE(r.ok);
  // w for seed 7 is rand({2}) * 2 - 1; analytic = 2 w[1], numeric = 3 w[1]
  Generator g(7);
  const double w0 = g.uniform() * 2.0f - 1.0f;
  const double w1 = g.uniform() * 2.0f - 1.0f;
  (void)w0;
  char expected[200];
  std::snprintf(expected, sizeof expected,
                "gradcheck w3: input 0, index 1 [1]: analytic %.6g vs numeric ",
                static_cast<double>(static_cast<float>(2.0 * w1)));
  EXPECT_EQ(r.message.substr(0, std::string(expected).size()), expected) << r.message;
  const double numeric = std::stod(r.message.substr(r.message.rfind(' ') + 1));
  EXPECT_NEAR(numeric, 3.0 * w1, 1e-3);
}

TEST(Ex5Gradcheck, FailsWhenAGradientIsMissing) {
  // A backward that forgets its input: analytic 0, numeric 3.
  Tensor x = tensor({1.0f}, {1}, true);
  const auto r = gradcheck("forgetful",
                           [](const std::vector<Tensor>& in) {
                             std::vector<float> v = {in[0].data()[0] * 3.0f};
                             return make_result(
                                 std::move(v), {1}, {in[0]}, [](const Node&) {}, "forgetful");
                           },
                           {x});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(
      Mentions(r.message, "input 0, index 0 [0]: analytic 0 vs numeric", "the gradcheck message"));
}

TEST(Ex5Gradcheck, SkipsInputsThatDoNotRequireGrad) {
  Tensor x = tensor({1.0f, 2.0f}, {2}, true);
  Tensor c = tensor({3.0f, 4.0f}, {2});
  // wrong_triple's gradient is wrong, but it only touches c, which is not checked
  EXPECT_TRUE(GradOk(
      "skip", [](const std::vector<Tensor>& in) { return in[0] * 2.0f + wrong_triple(in[1]); },
      {x, c}));
}

TEST(Ex5Gradcheck, LeavesTheCallersTensorsAlone) {
  Tensor x = tensor({1.0f, 2.0f}, {2}, true);
  EXPECT_TRUE(GradOk("mul", [](const std::vector<Tensor>& in) { return in[0] * 3.0f; }, {x}));
  EXPECT_FALSE(x.has_grad());
  EXPECT_TRUE(AllClose(x, {1.0f, 2.0f}, 0, 0));
}

TEST(Ex5Gradcheck, DividesByTheStepFloatReallyTook) {
  // Near 100000 floats are 1/128 apart: x + 0.01 rounds to 100000.0078125 and x - 0.01 to
  // 99999.9921875, a step of 0.015625, not 2 eps = 0.02. The op is exact (x - 100000), so
  // only the divisor decides: dividing by 2 eps makes the numeric gradient 22 % too small.
  Tensor x = tensor({100000.0f, 100000.0f, 100000.0f, 100000.0f}, {4}, true);
  const auto r =
      gradcheck("shift", [](const std::vector<Tensor>& in) { return in[0] - 100000.0f; }, {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_LT(r.max_abs_error, 1e-6);
}

TEST(Ex5Gradcheck, AnalyticNaNFails) {
  // err = |NaN - numeric| is NaN, and NaN > tolerance is false: the comparison must be
  // written so that NaN fails.
  Tensor x = tensor({1.0f, 2.0f}, {2}, true);
  const auto r = gradcheck("nan_backward",
                           [](const std::vector<Tensor>& in) {
                             std::vector<float> v(in[0].data().begin(), in[0].data().end());
                             return make_result(
                                 std::move(v), in[0].shape(), {in[0]},
                                 [](const Node& o) {
                                   std::span<float> g = grad_buffer(o.parents[0].node());
                                   for (float& gi : g) gi += std::nanf("");
                                 },
                                 "nan_backward");
                           },
                           {x});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r.message, "input 0, index 0 [0]: analytic ", "the gradcheck message"));
  EXPECT_TRUE(Mentions(r.message, "nan", "the gradcheck message"));
}

TEST(Ex5Gradcheck, NumericNaNFails) {
  // log at 0.005 with eps 0.01: x - eps is negative, log of it is NaN, so is the numeric
  // gradient. A check that cannot compute the truth has not passed.
  Tensor x = tensor({0.005f}, {1}, true);
  const auto r = gradcheck("log", [](const std::vector<Tensor>& in) { return in[0].log(); }, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(Mentions(r.message, "input 0, index 0 [0]: analytic ", "the gradcheck message"));
  EXPECT_TRUE(Mentions(r.message, "nan", "the gradcheck message"));
}

TEST(Ex5Gradcheck, ToleranceOptionsAreUsed) {
  // A 2 % error passes with rtol 5 % and fails with the default 1 %.
  Tensor x = tensor({1.0f}, {1}, true);
  auto slightly_off = [](const std::vector<Tensor>& in) {
    std::vector<float> v = {in[0].data()[0] * 1.0f};
    return make_result(
        std::move(v), {1}, {in[0]},
        [](const Node& o) { grad_buffer(o.parents[0].node())[0] += 1.02f * o.grad[0]; },
        "slightly_off");
  };
  EXPECT_FALSE(gradcheck("off", slightly_off, {x}).ok);
  GradcheckOptions loose;
  loose.rtol = 0.05;
  EXPECT_TRUE(gradcheck("off", slightly_off, {x}, loose).ok);
}

}  // namespace
}  // namespace bg
