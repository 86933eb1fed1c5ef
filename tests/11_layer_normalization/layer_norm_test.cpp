// Lesson 11: layer normalisation and the pre-norm block (bg/blocks.h).
//   exercise 1: ctest -L lesson11 -R LayerNormForward
//   exercise 2: ctest -L lesson11 -R 'LayerNormBackward|LayerNormOp'
//   exercise 3: ctest -L lesson11 -R PreNormBlock         (uses exercises 1 and 2 too)
//
// Which plausible wrong answer each test catches is noted above the test ("Catches: …").
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

constexpr float kEps = 1e-5f;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// One layer-norm problem and PyTorch's answer. Inputs are float32 values; the expected values
// are PyTorch's float64 result (torch.native_layer_norm, then backward of sum(y * g)) rounded
// to float — see tests/golden/layer_norm_golden.py for why float64 and how big PyTorch's own
// float32 error is on each case.
struct LayerNormCase {
  std::string name;
  int64_t rows, C;
  std::vector<float> x, gamma, beta, g;                 // inputs
  std::vector<float> y, mean, rstd, dx, dgamma, dbeta;  // expected
};

// ---------------------------------------------------------------- golden values
// The cases, in tests/golden/data/layer_norm_<name>.safetensors (made by
// tests/golden/layer_norm_golden.py; each file's metadata notes how far PyTorch's own float32
// kernel is from the float64 answer on it):
//   A  rows 3, C 5: a general case
//   B  rows 3, C 1: x - mean = 0 and var = 0, so y = beta and rstd = 1/sqrt(eps)
//   C  rows 5, C 8, values exact in float32: row 0 mean 1e4, row 1 mean -5e3, row 2 variance
//      ~1e-4, row 3 variance ~2e-6 (< eps), row 4 constant
//   D  rows 4, C 64: a longer row
//   E  rows 2, C 16: 1e4 plus sin noise of size 1 (inputs not exact)
// The case `name`, read on first use.
const LayerNormCase& golden_case(const std::string& name) {
  static std::map<std::string, LayerNormCase> cases;
  const auto found = cases.find(name);
  if (found != cases.end()) return found->second;
  const testing::GoldenFile& f = testing::golden_file("layer_norm_" + name);
  const Shape& shape = f.at("x").shape;  // (rows, C)
  LayerNormCase c;
  c.name = name;
  c.rows = shape[0];
  c.C = shape[1];
  c.x = f.values("x");
  c.gamma = f.values("gamma");
  c.beta = f.values("beta");
  c.g = f.values("g");
  c.y = f.values("y");
  c.mean = f.values("mean");
  c.rstd = f.values("rstd");
  c.dx = f.values("dx");
  c.dgamma = f.values("dgamma");
  c.dbeta = f.values("dbeta");
  return cases.emplace(name, std::move(c)).first->second;
}

// ---------------------------------------------------------------- helpers

Tensor as_tensor(const std::vector<float>& v, const Shape& shape) { return tensor(v, shape); }

// The forward kernel on a case: y (rows, C), mean (rows), rstd (rows). mean and rstd start as
// NaN so that a kernel that does not write them is seen.
struct Forward {
  std::vector<float> y, mean, rstd;
};
Forward run_forward(const LayerNormCase& k, float eps = kEps) {
  Forward f{std::vector<float>(k.x.size(), kNaN), std::vector<float>(k.rows, kNaN),
            std::vector<float>(k.rows, kNaN)};
  layer_norm_forward(k.x.data(), k.gamma.data(), k.beta.data(), f.y.data(), f.mean.data(),
                     f.rstd.data(), k.rows, k.C, eps);
  return f;
}

// The backward kernel on a case, with PyTorch's mean and rstd (so that it is tested on its
// own, whatever the forward kernel does), adding into buffers that start at `start`.
struct Backward {
  std::vector<float> dx, dgamma, dbeta;
};
Backward run_backward(const LayerNormCase& k, float start = 0.0f, bool want_dx = true,
                      bool want_dgamma = true, bool want_dbeta = true) {
  Backward b{std::vector<float>(k.x.size(), start), std::vector<float>(k.C, start),
             std::vector<float>(k.C, start)};
  layer_norm_backward(k.g.data(), k.x.data(), k.gamma.data(), k.mean.data(), k.rstd.data(),
                      want_dx ? b.dx.data() : nullptr, want_dgamma ? b.dgamma.data() : nullptr,
                      want_dbeta ? b.dbeta.data() : nullptr, k.rows, k.C);
  return b;
}

std::vector<float> plus(std::vector<float> v, float a) {
  for (float& e : v) e += a;
  return v;
}

// Deterministic test values, as in the other lessons: element i is sin(a*i + b) * s.
Tensor fill(const Shape& shape, double a, double b, double s = 1.0, bool requires_grad = false) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(a * static_cast<double>(i) + b) * s);
  }
  return tensor(std::move(v), shape, requires_grad);
}

// ============================================================ exercise 1: the forward kernel

// Catches: unbiased variance (C - 1; cases A, C, D), eps outside the square root (case C rows
// 2-3), a one-pass variance E[x²] - E[x]² (case C rows 0-1), any slip in gamma/beta.
TEST(LayerNormForward, MatchesPyTorch) {
  for (const LayerNormCase* k : {&golden_case("A"), &golden_case("C"), &golden_case("D")}) {
    const Forward f = run_forward(*k);
    EXPECT_TRUE(AllClose(as_tensor(f.y, {k->rows, k->C}), k->y)) << "case " << k->name << ": y";
    EXPECT_TRUE(AllClose(as_tensor(f.mean, {k->rows}), k->mean)) << "case " << k->name;
    EXPECT_TRUE(AllClose(as_tensor(f.rstd, {k->rows}), k->rstd)) << "case " << k->name;
  }
}

// Catches: a forward that does not save mean and rstd (they stay NaN), or saves the standard
// deviation instead of its reciprocal, or the variance.
TEST(LayerNormForward, SavesMeanAndReciprocalStdForTheBackward) {
  const LayerNormCase& case_a = golden_case("A");
  const Forward f = run_forward(case_a);
  for (int64_t r = 0; r < case_a.rows; ++r) {
    EXPECT_NEAR(f.mean[r], case_a.mean[r], 1e-5f) << "row " << r;
    EXPECT_NEAR(f.rstd[r], case_a.rstd[r], 1e-5f) << "row " << r;
  }
}

// C = 1: every row equals its own mean, so x - mean = 0 and the variance is 0. The exact
// answer is y = beta and rstd = 1/sqrt(eps) = 316.2… (PyTorch's float32 kernel is 4e-5 off
// here; the golden values are the exact ones). Catches: unbiased variance (0 / 0 = NaN).
TEST(LayerNormForward, OneChannelGivesBeta) {
  const LayerNormCase& case_b = golden_case("B");
  const Forward f = run_forward(case_b);
  for (int64_t r = 0; r < case_b.rows; ++r) {
    EXPECT_FLOAT_EQ(f.y[r], case_b.beta[0]) << "row " << r;
    EXPECT_FLOAT_EQ(f.mean[r], case_b.x[r]) << "row " << r;
    EXPECT_NEAR(f.rstd[r], 1.0f / std::sqrt(kEps), 1e-3f) << "row " << r;
  }
}

// A constant row (case C, row 4) has variance 0: y = beta, rstd = 1/sqrt(eps), no NaN.
// Catches: eps outside the square root (rstd = 1/eps = 1e5), or no eps at all (inf, NaN).
TEST(LayerNormForward, ConstantRowGivesBeta) {
  const LayerNormCase& case_c = golden_case("C");
  const Forward f = run_forward(case_c);
  const int64_t r = 4, C = case_c.C;
  for (int64_t c = 0; c < C; ++c) EXPECT_FLOAT_EQ(f.y[r * C + c], case_c.beta[c]) << "c " << c;
  EXPECT_NEAR(f.rstd[r], 316.227766f, 1e-3f);
}

// Rows whose variance is close to eps: var + eps and (sqrt(var) + eps)² differ by a few
// percent at var ~ 1e-4 (row 2) and by a factor 2.5 at var ~ 2e-6 (row 3). Catches: eps outside the
// square root, 1/(sqrt(var) + eps); eps ignored.
TEST(LayerNormForward, EpsGoesInsideTheSquareRoot) {
  const LayerNormCase& case_a = golden_case("A");
  const LayerNormCase& case_c = golden_case("C");
  const Forward f = run_forward(case_c);
  for (int64_t r : {2, 3}) {
    EXPECT_NEAR(f.rstd[r], case_c.rstd[r], 1e-5 * case_c.rstd[r]) << "row " << r;
  }
  // And the eps argument is the one used, not a hard-coded 1e-5.
  const Forward big = run_forward(case_a, 0.5f);
  for (int64_t r = 0; r < case_a.rows; ++r) {
    const double var = 1.0 / (static_cast<double>(case_a.rstd[r]) * case_a.rstd[r]) - kEps;
    EXPECT_NEAR(big.rstd[r], 1.0 / std::sqrt(var + 0.5), 1e-5) << "row " << r;
  }
}

// A mean of 1e4 with values that are not exact in float (case E). A float32 kernel that
// subtracts the mean before squaring (two passes) is accurate to about
//   |mean error| · rstd · gamma ≤ 16 · 2^-7 / 16 · 1.45 · 1.46 ≈ 0.02
// (a float sum of 16 values near 1e4 rounds to a spacing of 2^-6 at 1.6e5). The one-pass
// formula E[x²] - E[x]² squares 1e4 first: 1e8 has a float spacing of 8, against a variance
// of 0.5 — its answer is garbage or NaN. Catches: the one-pass variance.
TEST(LayerNormForward, LargeMeanDoesNotLoseTheVariance) {
  const LayerNormCase& case_e = golden_case("E");
  const Forward f = run_forward(case_e);
  EXPECT_TRUE(AllClose(as_tensor(f.y, {case_e.rows, case_e.C}), case_e.y, 2e-2, 0.0));
  EXPECT_TRUE(AllClose(as_tensor(f.rstd, {case_e.rows}), case_e.rstd, 2e-2, 0.0));
}

// Structural: with gamma = 1 and beta = 0 every output row has mean 0 and (biased) variance
// var / (var + eps) ≈ 1. Catches: unbiased variance (gives (C - 1) / C = 0.9375 here).
TEST(LayerNormForward, RowsComeOutWithMeanZeroAndVarianceOne) {
  const int64_t rows = 6, C = 16;
  const Tensor x = add(mul(randn({rows, C}), 3.0f), 2.0f);
  const std::vector<float> ones(C, 1.0f), zeros(C, 0.0f);
  std::vector<float> y(rows * C), mean(rows), rstd(rows);
  layer_norm_forward(x.data().data(), ones.data(), zeros.data(), y.data(), mean.data(), rstd.data(),
                     rows, C, kEps);
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0.0, v = 0.0;
    for (int64_t c = 0; c < C; ++c) m += y[r * C + c];
    m /= C;
    for (int64_t c = 0; c < C; ++c) v += (y[r * C + c] - m) * (y[r * C + c] - m);
    v /= C;
    EXPECT_NEAR(m, 0.0, 1e-6) << "row " << r;
    EXPECT_NEAR(v, 1.0, 1e-4) << "row " << r;
  }
}

// Invariants: a layer norm forgets where a row sits and how spread out it is. Adding a constant
// to a whole row, or multiplying it by a positive factor, leaves y unchanged — exactly in
// mathematics, up to eps/var (here var ≈ 4, so < 1e-5 relative) and float rounding in the
// kernel. Catches: the mean not subtracted, not divided by the standard deviation (or divided
// by the variance), the mean or variance taken over the wrong elements.
TEST(LayerNormForward, OutputIgnoresAShiftOrAPositiveScaleOfARow) {
  const int64_t rows = 4, C = 16;
  Generator gen(11);
  const Tensor x = mul(randn({rows, C}, gen), 2.0f);
  const Tensor gamma = randn({C}, gen), beta = randn({C}, gen);
  auto norm = [&](const std::vector<float>& in) {
    std::vector<float> y(rows * C), mean(rows), rstd(rows);
    layer_norm_forward(in.data(), gamma.data().data(), beta.data().data(), y.data(), mean.data(),
                       rstd.data(), rows, C, kEps);
    return tensor(std::move(y), {rows, C});
  };
  const Tensor y = norm(x.tolist());
  for (float shift : {-3.0f, 0.5f, 20.0f}) {
    std::vector<float> moved = x.tolist();
    for (float& v : moved) v += shift;
    EXPECT_TRUE(AllClose(norm(moved), y, 1e-4, 1e-4))
        << "adding " << shift << " to every element of a row must not change the row's output: "
        << "the norm subtracts the row's mean";
  }
  for (float scale : {0.25f, 3.0f, 40.0f}) {
    std::vector<float> stretched = x.tolist();
    for (float& v : stretched) v *= scale;
    EXPECT_TRUE(AllClose(norm(stretched), y, 1e-4, 1e-4))
        << "multiplying a row by " << scale << " must not change the row's output (up to eps): "
        << "the norm divides by the row's standard deviation";
  }
}

// ============================================================ exercise 2: the backward kernel

// Catches: a missing mean term (either one), a sign slip, dgamma without xhat, rstd squared.
// Tolerances: 1e-5 absolute + 1e-5 relative (the small-variance rows of case C have
// gradients in the hundreds). Two cases are limited by float32 itself, not by the kernel:
//   B  the exact dx is 0, but g·gamma - mean(g·gamma) may round (a fused multiply-add keeps
//      the product exact, the subtraction does not) and rstd = 316 magnifies that: 1e-4;
//   E  a mean near 1e4 is only known to float spacing 2^-10 ≈ 1e-3, so xhat is known to about
//      5e-4 · rstd (1.45) ≈ 7e-4, and dgamma (a sum of 2 rows) to about 1.5e-3: 5e-3.
TEST(LayerNormBackward, MatchesPyTorch) {
  for (const LayerNormCase* k : {&golden_case("A"), &golden_case("B"), &golden_case("C"),
                                 &golden_case("D"), &golden_case("E")}) {
    const double atol = k->name == "B" ? 1e-4 : k->name == "E" ? 5e-3 : 1e-5;
    const Backward b = run_backward(*k);
    EXPECT_TRUE(AllClose(as_tensor(b.dx, {k->rows, k->C}), k->dx, atol, 1e-5))
        << "case " << k->name << ": dx";
    EXPECT_TRUE(AllClose(as_tensor(b.dgamma, {k->C}), k->dgamma, atol, 1e-5))
        << "case " << k->name << ": dgamma";
    EXPECT_TRUE(AllClose(as_tensor(b.dbeta, {k->C}), k->dbeta, atol, 1e-5))
        << "case " << k->name << ": dbeta";
  }
}

// y does not change when a whole row is shifted by a constant, and with gamma = 1 the sum of a
// row of y is always sum(beta): so with g = 1 on every element, dL/dx = 0. Without the term
// "- mean_c(g·gamma)" the kernel returns rstd instead. Catches: the first mean term missing.
TEST(LayerNormBackward, DxHasTheMeanOfTheGradientTerm) {
  const int64_t rows = 3, C = 7;
  const Tensor x = randn({rows, C});
  const std::vector<float> ones(C, 1.0f), zeros(C, 0.0f), g(rows * C, 1.0f);
  std::vector<float> y(rows * C), mean(rows), rstd(rows), dx(rows * C, 0.0f);
  layer_norm_forward(x.data().data(), ones.data(), zeros.data(), y.data(), mean.data(), rstd.data(),
                     rows, C, kEps);
  layer_norm_backward(g.data(), x.data().data(), ones.data(), mean.data(), rstd.data(), dx.data(),
                      nullptr, nullptr, rows, C);
  for (size_t i = 0; i < dx.size(); ++i) {
    EXPECT_NEAR(dx[i], 0.0f, 1e-5f)
        << "row " << i / C << ", channel " << i % C << ": with gamma = 1 and g = 1 everywhere "
        << "L = Σ y does not depend on x, so dx must be 0 (the term - mean(g·gamma) is missing?)";
  }
}

// The sum of squares of a normalised row is C · var / (var + eps), almost independent of x:
// so for L = ½ Σ y² (gamma = 1, beta = 0, g = y = xhat) dL/dx is almost 0 — exactly
// rstd · xhat · eps / (var + eps). Without the term "- xhat · mean_c(g·gamma·xhat)" the
// kernel returns rstd · xhat instead. Catches: the second mean term missing.
TEST(LayerNormBackward, DxHasTheMeanOfTheGradientTimesXhatTerm) {
  const int64_t rows = 3, C = 7;
  const Tensor x = randn({rows, C});
  const std::vector<float> ones(C, 1.0f), zeros(C, 0.0f);
  std::vector<float> y(rows * C), mean(rows), rstd(rows), dx(rows * C, 0.0f);
  layer_norm_forward(x.data().data(), ones.data(), zeros.data(), y.data(), mean.data(), rstd.data(),
                     rows, C, kEps);
  layer_norm_backward(y.data(), x.data().data(), ones.data(), mean.data(), rstd.data(), dx.data(),
                      nullptr, nullptr, rows, C);
  for (int64_t r = 0; r < rows; ++r) {
    const double var = 1.0 / (static_cast<double>(rstd[r]) * rstd[r]) - kEps;
    for (int64_t c = 0; c < C; ++c) {
      const double expected = rstd[r] * y[r * C + c] * kEps / (var + kEps);
      EXPECT_NEAR(dx[r * C + c], expected, 1e-5)
          << "row " << r << ", channel " << c << ": for L = ½ Σ y² dx must be "
          << "rstd · xhat · eps/(var + eps), almost 0 (the term - xhat·mean(g·gamma·xhat) is "
          << "missing?)";
    }
  }
}

// Invariants of the input's gradient, for any g and any gamma (write g' = g·gamma):
//   dx = rstd · (g' - mean(g') - xhat · mean(g'·xhat)).
// Σ_c xhat = 0, so every row of dx sums to exactly 0: y does not move when the row is shifted,
// so no shift of the row can change the loss. And Σ_c dx·xhat = rstd · Σ g'·xhat · eps/(var +
// eps), about 0 when eps ≪ var: scaling the row hardly moves y either. mean and rstd are
// computed here in double, so the backward is tested on its own. Catches: either mean term
// missing, a sign slip, the mean taken over the wrong axis.
TEST(LayerNormBackward, EachRowOfDxSumsToZeroAndIsOrthogonalToXhat) {
  const int64_t rows = 5, C = 12;
  Generator gen(12);
  const std::vector<float> x = mul(randn({rows, C}, gen), 2.0f).tolist();
  const std::vector<float> gamma = add(randn({C}, gen), 1.0f).tolist();
  const std::vector<float> g = randn({rows, C}, gen).tolist();
  std::vector<float> mean(rows), rstd(rows), dx(rows * C, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0.0, v = 0.0;
    for (int64_t c = 0; c < C; ++c) m += x[r * C + c];
    m /= C;
    for (int64_t c = 0; c < C; ++c) v += (x[r * C + c] - m) * (x[r * C + c] - m);
    v /= C;
    mean[r] = static_cast<float>(m);
    rstd[r] = static_cast<float>(1.0 / std::sqrt(v + kEps));
  }
  layer_norm_backward(g.data(), x.data(), gamma.data(), mean.data(), rstd.data(), dx.data(),
                      nullptr, nullptr, rows, C);
  for (int64_t r = 0; r < rows; ++r) {
    double row_sum = 0.0, dot = 0.0, size = 0.0;
    for (int64_t c = 0; c < C; ++c) {
      const double xhat = (x[r * C + c] - mean[r]) * static_cast<double>(rstd[r]);
      row_sum += dx[r * C + c];
      dot += dx[r * C + c] * xhat;
      size += std::abs(dx[r * C + c]);
    }
    ASSERT_GT(size, 0.1) << "row " << r << " of dx is (almost) zero: nothing was written";
    EXPECT_NEAR(row_sum, 0.0, 1e-5) << "row " << r << " of dx must sum to 0 (the term "
                                    << "- mean(g·gamma) makes it so; y ignores a shift of x)";
    EXPECT_NEAR(dot, 0.0, 1e-4) << "row " << r << ": Σ dx·xhat must be ≈ 0 (the term "
                                << "- xhat·mean(g·gamma·xhat) makes it so; y ignores a scale of x)";
  }
}

// Catches: "=" instead of "+=" in any of the three outputs.
TEST(LayerNormBackward, AddsIntoTheGradients) {
  const LayerNormCase& case_a = golden_case("A");
  const Backward b = run_backward(case_a, 0.25f);
  EXPECT_TRUE(AllClose(as_tensor(b.dx, {3, 5}), plus(case_a.dx, 0.25f)));
  EXPECT_TRUE(AllClose(as_tensor(b.dgamma, {5}), plus(case_a.dgamma, 0.25f)));
  EXPECT_TRUE(AllClose(as_tensor(b.dbeta, {5}), plus(case_a.dbeta, 0.25f)));
}

// Any of dx, dgamma, dbeta may be null (that input needs no gradient); the others are still
// right. Catches: a crash on null, or an early exit that skips the other outputs.
TEST(LayerNormBackward, NullOutputsAreSkipped) {
  const LayerNormCase& case_a = golden_case("A");
  for (int mask = 0; mask < 8; ++mask) {
    const bool want_dx = mask & 1, want_dgamma = mask & 2, want_dbeta = mask & 4;
    const Backward b = run_backward(case_a, 0.0f, want_dx, want_dgamma, want_dbeta);
    const std::string which = "dx " + std::to_string(want_dx) + " dgamma " +
                              std::to_string(want_dgamma) + " dbeta " + std::to_string(want_dbeta);
    EXPECT_TRUE(AllClose(as_tensor(b.dx, {3, 5}), want_dx ? case_a.dx : std::vector<float>(15)))
        << which;
    EXPECT_TRUE(
        AllClose(as_tensor(b.dgamma, {5}), want_dgamma ? case_a.dgamma : std::vector<float>(5)))
        << which;
    EXPECT_TRUE(
        AllClose(as_tensor(b.dbeta, {5}), want_dbeta ? case_a.dbeta : std::vector<float>(5)))
        << which;
  }
}

// ============================================================ the op on both kernels

// bg::layer_norm runs the forward kernel, saves mean and rstd, and calls the backward kernel
// with them. Catches: a forward that does not save the statistics (the backward then reads
// whatever the buffer held), a backward that needs mean/rstd but recomputes them wrongly.
TEST(LayerNormOp, MatchesPyTorchThroughTheGraph) {
  const LayerNormCase& case_d = golden_case("D");
  Tensor x = tensor(case_d.x, {2, 2, 64}, true);  // (B, T, C): 4 rows of 64
  Tensor w = tensor(case_d.gamma, {64}, true);
  Tensor b = tensor(case_d.beta, {64}, true);
  const Tensor y = layer_norm(x, w, b);
  ASSERT_EQ(y.shape(), (Shape{2, 2, 64}));
  EXPECT_TRUE(AllClose(y, case_d.y));
  sum(mul(y, tensor(case_d.g, {2, 2, 64}))).backward();
  EXPECT_TRUE(AllClose(x.grad(), case_d.dx));
  EXPECT_TRUE(AllClose(w.grad(), case_d.dgamma));
  EXPECT_TRUE(AllClose(b.grad(), case_d.dbeta));
}

TEST(LayerNormOp, GradcheckInputWeightAndBias) {
  const Tensor x = randn({4, 6}).requires_grad_();
  const Tensor w = add(randn({6}), 1.0f).requires_grad_();
  const Tensor b = randn({6}).requires_grad_();
  EXPECT_TRUE(GradOk("layer_norm",
                     [](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], in[2]); },
                     {x, w, b}));
}

// weight and bias (C) are broadcast over every leading dimension: their gradient sums over
// all rows of all batches.
TEST(LayerNormOp, GradcheckBroadcastOverLeadingDims) {
  const Tensor x = randn({2, 3, 5}).requires_grad_();
  const Tensor w = add(randn({5}), 1.0f).requires_grad_();
  const Tensor b = randn({5}).requires_grad_();
  EXPECT_TRUE(GradOk("layer_norm (B, T, C)",
                     [](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], in[2]); },
                     {x, w, b}));
  const Tensor x4 = randn({2, 1, 3, 4}).requires_grad_();
  const Tensor w4 = add(randn({4}), 1.0f).requires_grad_();
  EXPECT_TRUE(
      GradOk("layer_norm 4-D, bias constant",
             [&](const std::vector<Tensor>& in) { return layer_norm(in[0], in[1], zeros({4})); },
             {x4, w4}));
}

// x feeds the norm and the product; the same weight and bias serve two norms in a row.
TEST(LayerNormOp, GradcheckTensorsUsedTwice) {
  const Tensor x = randn({3, 4}).requires_grad_();
  const Tensor w = add(randn({4}), 1.0f).requires_grad_();
  const Tensor b = randn({4}).requires_grad_();
  EXPECT_TRUE(GradOk(
      "layer_norm(x) * x",
      [](const std::vector<Tensor>& in) { return mul(layer_norm(in[0], in[1], in[2]), in[0]); },
      {x, w, b}));
  EXPECT_TRUE(GradOk("layer_norm(layer_norm(x, w, b), w, b)",
                     [](const std::vector<Tensor>& in) {
                       return layer_norm(layer_norm(in[0], in[1], in[2]), in[1], in[2]);
                     },
                     {x, w, b}));
}

TEST(LayerNormOp, AccumulatesOverTwoBackwardPasses) {
  Tensor x = randn({3, 5}).requires_grad_();
  Tensor w = add(randn({5}), 1.0f).requires_grad_();
  Tensor b = randn({5}).requires_grad_();
  const Tensor g = randn({3, 5});
  sum(mul(layer_norm(x, w, b), g)).backward();
  const auto x1 = x.grad().tolist(), w1 = w.grad().tolist(), b1 = b.grad().tolist();
  sum(mul(layer_norm(x, w, b), g)).backward();
  for (size_t i = 0; i < x1.size(); ++i) EXPECT_NEAR(x.grad().data()[i], 2 * x1[i], 1e-5);
  for (size_t i = 0; i < w1.size(); ++i) EXPECT_NEAR(w.grad().data()[i], 2 * w1[i], 1e-5);
  for (size_t i = 0; i < b1.size(); ++i) EXPECT_NEAR(b.grad().data()[i], 2 * b1[i], 1e-5);
}

// Only the inputs that require grad get one (the op passes null for the others).
// Every combination of x, weight and bias requiring grad or not (x constant included, as
// for the first layer's input): each input that requires grad gets its gradient, the others
// none. Catches: a gradient written into an input that does not require it (a dx/dgamma/dbeta
// pointer passed to the backward kernel whatever requires_grad says).
TEST(LayerNormOp, GradientOnlyForInputsThatRequireIt) {
  const LayerNormCase& case_a = golden_case("A");
  for (int mask = 1; mask < 8; ++mask) {
    BG_TRACE("x " + std::to_string(mask & 1) + " weight " + std::to_string((mask >> 1) & 1) +
             " bias " + std::to_string((mask >> 2) & 1));
    Tensor x = tensor(case_a.x, {3, 5}, (mask & 1) != 0);
    Tensor w = tensor(case_a.gamma, {5}, (mask & 2) != 0);
    Tensor b = tensor(case_a.beta, {5}, (mask & 4) != 0);
    sum(mul(layer_norm(x, w, b), tensor(case_a.g, {3, 5}))).backward();
    ASSERT_EQ(x.has_grad(), (mask & 1) != 0);
    ASSERT_EQ(w.has_grad(), (mask & 2) != 0);
    ASSERT_EQ(b.has_grad(), (mask & 4) != 0);
    if (x.has_grad()) {
      EXPECT_TRUE(AllClose(x.grad(), case_a.dx));
    }
    if (w.has_grad()) {
      EXPECT_TRUE(AllClose(w.grad(), case_a.dgamma));
    }
    if (b.has_grad()) {
      EXPECT_TRUE(AllClose(b.grad(), case_a.dbeta));
    }
  }
}

// ============================================================ exercise 3: the pre-norm block

// A block of the golden test: n_embed 8, 2 heads, block 4, W^O and a 4C feed-forward, with
// every parameter set by the rule of tests/golden/layer_norm_golden.py:
// element i of the k-th parameter (state_dict order) is ((7 i + 5 k + 3) mod 17 - 8) / 16.
// ln1 and ln2 therefore hold different weights, so swapping them changes the output.
BlockConfig golden_config() {
  BlockConfig c;
  c.n_embed = 8;
  c.n_head = 2;
  c.block_size = 4;
  c.kind = BlockKind::prenorm;
  c.projection = true;
  return c;
}

void set_golden_parameters(Block& block) {
  int64_t k = 0;
  for (auto& [name, p] : block.named_parameters()) {
    auto v = p.data();
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<float>((7 * static_cast<int64_t>(i) + 5 * k + 3) % 17 - 8) / 16.0f;
    }
    ++k;
  }
}

void set_zero(Tensor t) {
  for (float& v : t.data()) v = 0.0f;
}

// The block's output is the residual stream: x + sa(ln1(x)) + ffwd(ln2(h)). Silence the last
// layer of a sub-layer (sa.proj, ffwd.net.2 all zero) and that sub-layer adds exactly 0, so
// what remains must be x plus the other sub-layer. This test comes first: a missing "x +" or
// "h +" is a forward bug, and it shows here in words before any gradient test fails.
TEST(PreNormBlock, KeepsTheResidualStream) {
  const Tensor x = fill({2, 4, 8}, 0.7, 0.1);
  {
    Block block(golden_config());
    set_golden_parameters(block);
    auto& sa = dynamic_cast<ProjectedAttention&>(*block.sa);
    set_zero(sa.proj.weight);
    set_zero(sa.proj.bias);
    set_zero(block.ffwd.net2->weight);
    set_zero(block.ffwd.net2->bias);
    EXPECT_TRUE(AllClose(block.forward_prenorm(x, nullptr), x, 0.0, 0.0))
        << "with both sub-layers silenced (they output 0) the block must return x unchanged: "
           "its output is x + sa(ln1(x)) + ffwd(ln2(h)), the residual stream. A missing 'x +' "
           "or 'h +' gives 0 here; a norm on the stream changes x.";
  }
  {
    Block block(golden_config());
    set_golden_parameters(block);
    set_zero(block.ffwd.net2->weight);
    set_zero(block.ffwd.net2->bias);
    const Tensor attention = block.sa->forward(layer_norm(x, block.ln1->weight, block.ln1->bias));
    EXPECT_TRUE(AllClose(block.forward_prenorm(x, nullptr), add(x, attention), 1e-6, 1e-6))
        << "with the feed-forward silenced the block must be h = x + sa(ln1(x)): the attention's "
           "output is ADDED to the stream x, not returned in place of it";
  }
  {
    Block block(golden_config());
    set_golden_parameters(block);
    auto& sa = dynamic_cast<ProjectedAttention&>(*block.sa);
    set_zero(sa.proj.weight);
    set_zero(sa.proj.bias);
    const Tensor ff = block.ffwd(layer_norm(x, block.ln2->weight, block.ln2->bias));
    EXPECT_TRUE(AllClose(block.forward_prenorm(x, nullptr), add(x, ff), 1e-6, 1e-6))
        << "with the attention silenced h = x, and the block must be h + ffwd(ln2(h)): the "
           "feed-forward's output is ADDED to the stream h, not returned in place of it";
  }
}

// Catches: post-norm (ln after the residual add), ln1 and ln2 swapped, a norm on the
// residual stream, a missing residual, the feed-forward reading the block's input x instead
// of the stream after attention.
TEST(PreNormBlock, MatchesPyTorch) {
  // PyTorch's numbers (float64, rounded to float): tests/golden/data/prenorm_block.safetensors,
  // made by tests/golden/layer_norm_golden.py.
  const testing::GoldenFile& golden = testing::golden_file("prenorm_block");
  Block block(golden_config());
  set_golden_parameters(block);
  Tensor x = fill({2, 4, 8}, 0.7, 0.1, 1.0, true);
  const Tensor out = block.forward_prenorm(x, nullptr);
  ASSERT_EQ(out.shape(), (Shape{2, 4, 8}));
  ASSERT_TRUE(AllClose(out, golden.values("out")))
      << "the block's output (the forward) differs from PyTorch's; the gradients are not checked "
         "until it matches (see KeepsTheResidualStream and EachSublayerReadsItsOwnNorm)";
  sum(mul(out, fill({2, 4, 8}, 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad"), 1e-5, 1e-4))
      << "the gradient of the block's input x differs from PyTorch's";
  const auto params = block.named_parameters();
  const std::string prefix = "grad.";  // grad.<parameter name>, in named_parameters() order
  const auto grads = golden.starting_with(prefix);
  ASSERT_EQ(params.size(), grads.size());
  for (size_t i = 0; i < params.size(); ++i) {
    ASSERT_EQ(params[i].first, grads[i]->name.substr(prefix.size()));
    EXPECT_TRUE(AllClose(params[i].second.grad(), grads[i]->values, 1e-5, 1e-4))
        << "the gradient of " << params[i].first << " differs from PyTorch's";
  }
}

// With the last layer of both sub-layers zeroed (sa.proj and ffwd.net.2), sa and ffwd output
// exactly 0 and a pre-norm block is the identity: the residual stream passes through
// untouched, however large it is. Catches: post-norm (the output would be normalised), a
// norm applied to the stream.
TEST(PreNormBlock, TheResidualStreamIsNeverNormalised) {
  Block block(golden_config());
  set_golden_parameters(block);
  auto& sa = dynamic_cast<ProjectedAttention&>(*block.sa);
  set_zero(sa.proj.weight);
  set_zero(sa.proj.bias);
  set_zero(block.ffwd.net2->weight);
  set_zero(block.ffwd.net2->bias);
  const Tensor x = add(mul(fill({2, 4, 8}, 0.7, 0.1), 100.0f), 50.0f);
  const Tensor out = block.forward_prenorm(x, nullptr);
  EXPECT_TRUE(AllClose(out, x, 0.0, 0.0))
      << "with both sub-layers silenced a stream of values around 50 ± 100 must come out "
         "unchanged: the norms belong inside the sub-layers, never on the stream itself";
}

// Each sub-layer reads its own norm: with ffwd silenced the block is x + sa(ln1(x)); with sa
// silenced it is x + ffwd(ln2(x)). Catches: ln1 and ln2 swapped, one norm used twice.
TEST(PreNormBlock, EachSublayerReadsItsOwnNorm) {
  {
    Block block(golden_config());
    set_golden_parameters(block);
    set_zero(block.ffwd.net2->weight);
    set_zero(block.ffwd.net2->bias);
    const Tensor x = fill({2, 4, 8}, 0.7, 0.1);
    const Tensor expected =
        add(x, block.sa->forward(layer_norm(x, block.ln1->weight, block.ln1->bias)));
    EXPECT_TRUE(AllClose(block.forward_prenorm(x, nullptr), expected, 1e-6, 1e-6))
        << "with ffwd silenced the block must be x + sa(ln1(x)): the attention reads ln1";
  }
  {
    Block block(golden_config());
    set_golden_parameters(block);
    auto& sa = dynamic_cast<ProjectedAttention&>(*block.sa);
    set_zero(sa.proj.weight);
    set_zero(sa.proj.bias);
    const Tensor x = fill({2, 4, 8}, 0.7, 0.1);
    const Tensor expected = add(x, block.ffwd(layer_norm(x, block.ln2->weight, block.ln2->bias)));
    EXPECT_TRUE(AllClose(block.forward_prenorm(x, nullptr), expected, 1e-6, 1e-6))
        << "with sa silenced the block must be x + ffwd(ln2(x)): the feed-forward reads ln2";
  }
}

// The attention weights are handed back for the pictures (babygpt attention).
TEST(PreNormBlock, ReturnsTheAttentionWeights) {
  Block block(golden_config());
  set_golden_parameters(block);
  std::vector<Tensor> weights;
  block.forward_prenorm(fill({2, 4, 8}, 0.7, 0.1), &weights);
  ASSERT_EQ(weights.size(), 2u);
  for (const Tensor& w : weights) EXPECT_EQ(w.shape(), (Shape{2, 4, 4}));
}

// Causal: changing the input at position t may change the outputs at t, t+1, … but never an
// earlier one. Catches: a norm or a mask over the wrong axis (the time axis instead of the
// channels), which lets later positions leak into earlier ones.
TEST(PreNormBlock, TheFutureDoesNotLeakIntoThePast) {
  Block block(golden_config());
  set_golden_parameters(block);
  const Tensor x = fill({1, 4, 8}, 0.7, 0.1);
  const Tensor before = block.forward_prenorm(x, nullptr);
  for (int64_t t = 1; t < 4; ++t) {
    Tensor changed = x.detach();
    for (int64_t c = 0; c < 8; ++c) changed.at({0, t, c}) += 1.5f * static_cast<float>(c - 3);
    const Tensor after = block.forward_prenorm(changed, nullptr);
    for (int64_t s = 0; s < t; ++s) {
      EXPECT_TRUE(AllClose(narrow(after, 1, s, 1), narrow(before, 1, s, 1), 0.0, 0.0))
          << "changing the input at position " << t << " changed the output at the earlier "
          << "position " << s << ": the block must not let the future leak into the past";
    }
  }
}

TEST(PreNormBlock, GradcheckInput) {
  Generator gen(3);
  BlockConfig c = golden_config();
  Block block(c, gen);
  const Tensor x = randn({1, 3, 8}, gen).requires_grad_();
  EXPECT_TRUE(GradOk(
      "pre-norm block",
      [&](const std::vector<Tensor>& in) { return block.forward_prenorm(in[0], nullptr); }, {x}));
}

}  // namespace
}  // namespace bg
