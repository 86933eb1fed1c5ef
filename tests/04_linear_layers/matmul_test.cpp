// Lesson 04, exercises 2 and 3: the matmul kernels and the batched matmul op.
//   exercise 2: ctest --test-dir build -R '^exercises\.lesson04\.Kernels\.' --output-on-failure
//   exercise 3: ctest --test-dir build -R '^exercises\.lesson04\.MatmulOp\.' --output-on-failure
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "bg/linalg.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;
using testing::GradOk;

// ---- Exercise 2: kernels ----------------------------------------------------------------

std::vector<float> random_values(int64_t count, Generator& gen) {
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = gen.uniform(-1.0f, 1.0f);
  return v;
}

// The reference: c (n, m) = c0 + A·B by the textbook triple loop, in double. `at_a(i, p)`
// and `at_b(p, j)` read A (n, k) and B (k, m) from however the kernel stores them.
template <class A, class B>
std::vector<float> naive(const std::vector<float>& c0, int64_t n, int64_t k, int64_t m, A at_a,
                         B at_b) {
  std::vector<float> c(c0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      double s = 0.0;
      for (int64_t p = 0; p < k; ++p) s += static_cast<double>(at_a(i, p)) * at_b(p, j);
      c[static_cast<size_t>(i * m + j)] += static_cast<float>(s);
    }
  return c;
}

struct Dims {
  int64_t n, k, m;
};
// Awkward sizes: ones, primes, sizes that are not multiples of a SIMD width.
const std::vector<Dims> kSizes = {{1, 1, 1},  {1, 5, 1},  {7, 13, 5}, {1, 9, 17},
                                  {17, 1, 9}, {9, 17, 1}, {3, 2, 11}, {33, 19, 23}};

// Compares c with the reference, element by element, naming the sizes on failure.
void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, const Dims& d,
                     const char* kernel) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-5 * (1.0 + std::abs(want[i])))
        << kernel << " n=" << d.n << " k=" << d.k << " m=" << d.m << " at flat index " << i;
  }
}

TEST(Kernels, MatmulNNMatchesTheTripleLoopAndAddsIntoC) {
  Generator gen(7);
  for (const Dims& d : kSizes) {
    const auto a = random_values(d.n * d.k, gen);   // (n, k)
    const auto b = random_values(d.k * d.m, gen);   // (k, m)
    const auto c0 = random_values(d.n * d.m, gen);  // c is NOT zero: the kernel must add
    auto c = c0;
    matmul_nn(a.data(), b.data(), c.data(), d.n, d.k, d.m);
    expect_near_all(c,
                    naive(
                        c0, d.n, d.k, d.m,
                        [&](int64_t i, int64_t p) { return a[static_cast<size_t>(i * d.k + p)]; },
                        [&](int64_t p, int64_t j) { return b[static_cast<size_t>(p * d.m + j)]; }),
                    d, "matmul_nn");
  }
}

TEST(Kernels, MatmulNTMatchesTheTripleLoopAndAddsIntoC) {
  Generator gen(8);
  for (const Dims& d : kSizes) {
    const auto a = random_values(d.n * d.k, gen);  // (n, k)
    const auto b = random_values(d.m * d.k, gen);  // stored (m, k): B = bᵀ
    const auto c0 = random_values(d.n * d.m, gen);
    auto c = c0;
    matmul_nt(a.data(), b.data(), c.data(), d.n, d.k, d.m);
    expect_near_all(c,
                    naive(
                        c0, d.n, d.k, d.m,
                        [&](int64_t i, int64_t p) { return a[static_cast<size_t>(i * d.k + p)]; },
                        [&](int64_t p, int64_t j) { return b[static_cast<size_t>(j * d.k + p)]; }),
                    d, "matmul_nt");
  }
}

TEST(Kernels, MatmulTNMatchesTheTripleLoopAndAddsIntoC) {
  Generator gen(9);
  for (const Dims& d : kSizes) {
    const auto a = random_values(d.k * d.n, gen);  // stored (k, n): A = aᵀ
    const auto b = random_values(d.k * d.m, gen);  // (k, m)
    const auto c0 = random_values(d.n * d.m, gen);
    auto c = c0;
    matmul_tn(a.data(), b.data(), c.data(), d.n, d.k, d.m);
    expect_near_all(c,
                    naive(
                        c0, d.n, d.k, d.m,
                        [&](int64_t i, int64_t p) { return a[static_cast<size_t>(p * d.n + i)]; },
                        [&](int64_t p, int64_t j) { return b[static_cast<size_t>(p * d.m + j)]; }),
                    d, "matmul_tn");
  }
}

TEST(Kernels, SmallProductsByHand) {
  // a (2, 3), b (3, 2): a·b = [[58, 64], [139, 154]]; c starts at 1 everywhere.
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {7, 8, 9, 10, 11, 12};
  std::vector<float> c(4, 1.0f);
  matmul_nn(a.data(), b.data(), c.data(), 2, 3, 2);
  EXPECT_EQ(c, (std::vector<float>{59, 65, 140, 155}));
  // a·aᵀ with matmul_nt: [[14, 32], [32, 77]]
  std::vector<float> c2(4, 0.0f);
  matmul_nt(a.data(), a.data(), c2.data(), 2, 3, 2);
  EXPECT_EQ(c2, (std::vector<float>{14, 32, 32, 77}));
  // aᵀ·a with matmul_tn, a stored (2, 3) so aᵀ is (3, 2): (3, 3)
  std::vector<float> c3(9, 0.0f);
  matmul_tn(a.data(), a.data(), c3.data(), 3, 2, 3);
  EXPECT_EQ(c3, (std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45}));
  // Calling twice adds twice.
  matmul_tn(a.data(), a.data(), c3.data(), 3, 2, 3);
  EXPECT_EQ(c3, (std::vector<float>{34, 44, 54, 44, 58, 72, 54, 72, 90}));
}

TEST(Kernels, EmptyInnerDimensionLeavesCUnchanged) {
  const std::vector<float> c0 = {1, 2, 3, 4, 5, 6};
  auto c = c0;
  const float none = 0.0f;
  matmul_nn(&none, &none, c.data(), 2, 0, 3);
  matmul_nt(&none, &none, c.data(), 2, 0, 3);
  matmul_tn(&none, &none, c.data(), 2, 0, 3);
  EXPECT_EQ(c, c0);
}

// ---- Exercise 3: the matmul op --------------------------------------------------------------

// The reference product of every batch, computed with plain loops from the broadcast rule.
Tensor reference_matmul(const Tensor& a, const Tensor& b) {
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  const int64_t n = as[as.size() - 2], k = as.back(), m = bs.back();
  const Shape batch =
      broadcast_shapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  Shape out_shape = batch;
  out_shape.push_back(n);
  out_shape.push_back(m);
  Tensor out = zeros(out_shape);
  const auto nd = batch.size();
  Shape idx(nd, 0);
  for (int64_t t = 0; t < numel(batch); ++t) {
    // the batch index of t, and the index each operand reads (size-1 dims read 0)
    int64_t rest = t;
    for (size_t d = nd; d-- > 0;) {
      idx[d] = rest % batch[d];
      rest /= batch[d];
    }
    auto index_in = [&](const Shape& s, int64_t r, int64_t c) {
      std::vector<int64_t> ix;
      const size_t own = s.size() - 2;
      for (size_t d = 0; d < own; ++d) ix.push_back(s[d] == 1 ? 0 : idx[nd - own + d]);
      ix.push_back(r);
      ix.push_back(c);
      return flat_index(s, ix);
    };
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double s = 0.0;
        for (int64_t p = 0; p < k; ++p)
          s += static_cast<double>(a.data()[static_cast<size_t>(index_in(as, i, p))]) *
               b.data()[static_cast<size_t>(index_in(bs, p, j))];
        out.data()[static_cast<size_t>((t * n + i) * m + j)] = static_cast<float>(s);
      }
  }
  return out;
}

GradcheckFn matmul_fn() {
  return [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
}

TEST(MatmulOp, TwoDimensional) {
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = tensor({7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}, {3, 4});
  const Tensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 4}));
  EXPECT_TRUE(AllClose(c, {74, 80, 86, 92, 173, 188, 203, 218}, 0, 0));
  // the operands are untouched, and the Tensor sugar calls the same op
  EXPECT_TRUE(AllClose(a, {1, 2, 3, 4, 5, 6}, 0, 0));
  EXPECT_TRUE(AllClose(a.matmul(b), c, 0, 0));
}

TEST(MatmulOp, TwoDimensionalGradcheck) {
  Generator gen(10);
  const Tensor a = randn({3, 4}, gen).requires_grad_();
  const Tensor b = randn({4, 5}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("matmul (3, 4) @ (4, 5)", matmul_fn(), {a, b}));
  // one operand a constant
  EXPECT_TRUE(GradOk("matmul, a only", matmul_fn(), {a, b.detach()}));
  EXPECT_TRUE(GradOk("matmul, b only", matmul_fn(), {a.detach(), b}));
  // row and column vectors as matrices
  const Tensor r = randn({1, 6}, gen).requires_grad_();
  const Tensor col = randn({6, 1}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("matmul (1, 6) @ (6, 1)", matmul_fn(), {r, col}));
  EXPECT_TRUE(GradOk("matmul (6, 1) @ (1, 6)", matmul_fn(), {col, r}));
}

TEST(MatmulOp, GradientsByHand) {
  // C = A·B with dC = ones: dA = ones·Bᵀ (row sums of B), dB = Aᵀ·ones (column sums of A).
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  const Tensor b = tensor({1, 0, 2, 0, 3, 1, 1, 1, 0, 1, 0, 2}, {3, 4}, true);
  matmul(a, b).backward(ones({2, 4}));
  EXPECT_TRUE(AllClose(a.grad(), {3, 6, 3, 3, 6, 3}, 0, 0));
  EXPECT_TRUE(AllClose(b.grad(), {5, 5, 5, 5, 7, 7, 7, 7, 9, 9, 9, 9}, 0, 0));
}

TEST(MatmulOp, GradientOnlyForInputsThatRequireIt) {
  // gradcheck skips a constant operand, so it cannot see a backward that writes into it
  // anyway: check has_grad() directly, for 2-D and broadcast batched operands.
  Generator gen(12);
  for (const auto& [sa, sb] :
       std::vector<std::pair<Shape, Shape>>{{{2, 3}, {3, 4}}, {{2, 2, 3}, {3, 4}}}) {
    BG_TRACE(shape_str(sa) + " @ " + shape_str(sb));
    const Tensor a = randn(sa, gen).requires_grad_();
    const Tensor b = randn(sb, gen);  // a constant
    matmul(a, b).sum().backward();
    EXPECT_TRUE(a.has_grad());
    EXPECT_FALSE(b.has_grad());
    const Tensor c = randn(sa, gen);  // now the left one is the constant
    const Tensor d = randn(sb, gen).requires_grad_();
    matmul(c, d).sum().backward();
    EXPECT_FALSE(c.has_grad());
    EXPECT_TRUE(d.has_grad());
  }
}

TEST(MatmulOp, Batched) {
  Generator gen(11);
  const Tensor a = randn({3, 2, 4}, gen).requires_grad_();
  const Tensor b = randn({3, 4, 5}, gen).requires_grad_();
  const Tensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{3, 2, 5}));
  EXPECT_TRUE(AllClose(c, reference_matmul(a, b)));
  EXPECT_TRUE(GradOk("matmul (3, 2, 4) @ (3, 4, 5)", matmul_fn(), {a, b}));
  // 4-D, the (B, h, T, T) @ (B, h, T, d) of attention
  const Tensor p = randn({2, 3, 4, 4}, gen).requires_grad_();
  const Tensor v = randn({2, 3, 4, 2}, gen).requires_grad_();
  EXPECT_TRUE(AllClose(matmul(p, v), reference_matmul(p, v)));
  EXPECT_TRUE(GradOk("matmul (2, 3, 4, 4) @ (2, 3, 4, 2)", matmul_fn(), {p, v}));
}

TEST(MatmulOp, BatchDimsBroadcast) {
  Generator gen(12);
  {  // (2, 1, 3, 4) @ (3, 4, 5) -> (2, 3, 3, 5)
    const Tensor a = randn({2, 1, 3, 4}, gen).requires_grad_();
    const Tensor b = randn({3, 4, 5}, gen).requires_grad_();
    const Tensor c = matmul(a, b);
    EXPECT_EQ(c.shape(), (Shape{2, 3, 3, 5}));
    EXPECT_TRUE(AllClose(c, reference_matmul(a, b)));
    EXPECT_TRUE(GradOk("matmul (2, 1, 3, 4) @ (3, 4, 5)", matmul_fn(), {a, b}));
  }
  {  // (4, 3) @ (2, 3, 5) -> (2, 4, 5): a plain matrix against a batch
    const Tensor a = randn({4, 3}, gen).requires_grad_();
    const Tensor b = randn({2, 3, 5}, gen).requires_grad_();
    const Tensor c = matmul(a, b);
    EXPECT_EQ(c.shape(), (Shape{2, 4, 5}));
    EXPECT_TRUE(AllClose(c, reference_matmul(a, b)));
    EXPECT_TRUE(GradOk("matmul (4, 3) @ (2, 3, 5)", matmul_fn(), {a, b}));
  }
  {  // (2, 3, 4) @ (4, 2): a batch against one weight matrix, as x @ W
    const Tensor a = randn({2, 3, 4}, gen).requires_grad_();
    const Tensor b = randn({4, 2}, gen).requires_grad_();
    EXPECT_EQ(matmul(a, b).shape(), (Shape{2, 3, 2}));
    EXPECT_TRUE(AllClose(matmul(a, b), reference_matmul(a, b)));
    EXPECT_TRUE(GradOk("matmul (2, 3, 4) @ (4, 2)", matmul_fn(), {a, b}));
  }
  {  // size-1 dims on both sides: (3, 1, 2, 2) @ (1, 4, 2, 3) -> (3, 4, 2, 3)
    const Tensor a = randn({3, 1, 2, 2}, gen).requires_grad_();
    const Tensor b = randn({1, 4, 2, 3}, gen).requires_grad_();
    EXPECT_EQ(matmul(a, b).shape(), (Shape{3, 4, 2, 3}));
    EXPECT_TRUE(AllClose(matmul(a, b), reference_matmul(a, b)));
    EXPECT_TRUE(GradOk("matmul (3, 1, 2, 2) @ (1, 4, 2, 3)", matmul_fn(), {a, b}));
  }
}

TEST(MatmulOp, BroadcastGradientIsSummedOverTheBatch) {
  // a (2, 2) is shared by both batches of b (2, 2, 1): dA = Σ_t dC_t · B_tᵀ.
  const Tensor a = tensor({1, 2, 3, 4}, {2, 2}, true);
  const Tensor b = tensor({1, 2, 3, 4}, {2, 2, 1}, true);
  matmul(a, b).backward(ones({2, 2, 1}));
  EXPECT_TRUE(AllClose(a.grad(), {4, 6, 4, 6}, 0, 0));  // [1,2] + [3,4] in every row
  EXPECT_TRUE(AllClose(b.grad(), {4, 6, 4, 6}, 0, 0));  // column sums of a, per batch
}

TEST(MatmulOp, TensorUsedTwiceAndTwoBackwardPasses) {
  Generator gen(13);
  const Tensor a = randn({4, 4}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("matmul(a, a)",
                     [](const std::vector<Tensor>& in) { return matmul(in[0], in[0]); }, {a}));
  const Tensor x = tensor({1, 2, 3, 4}, {2, 2}, true);
  const Tensor w = tensor({1, 0, 0, 1}, {2, 2});
  matmul(x, w).backward(ones({2, 2}));
  matmul(x, w).backward(ones({2, 2}));
  EXPECT_TRUE(AllClose(x.grad(), {2, 2, 2, 2}, 0, 0));
}

TEST(MatmulOp, InnerDimensionMismatchShowsBothShapes) {
  EXPECT_BG_ERROR(matmul(zeros({2, 3}), zeros({4, 5})), "[2, 3]", "[4, 5]");
  EXPECT_BG_ERROR(matmul(zeros({6, 2, 3}), zeros({6, 2, 3})), "[6, 2, 3]");
}

TEST(MatmulOp, BatchMismatchShowsBothShapes) {
  EXPECT_BG_ERROR(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})), "[2, 3, 4]", "[3, 4, 5]");
  EXPECT_BG_ERROR(matmul(zeros({2, 5, 3, 4}), zeros({3, 4, 5})), "[2, 5, 3, 4]", "[3, 4, 5]");
}

TEST(MatmulOp, FewerThanTwoDimsIsAnError) {
  EXPECT_BG_ERROR(matmul(zeros({3}), zeros({3, 2})), "[3]", "[3, 2]");
  EXPECT_BG_ERROR(matmul(zeros({2, 3}), zeros({3})), "[2, 3]", "[3]");
  EXPECT_BG_ERROR(matmul(scalar(1.0f), scalar(2.0f)), "[]");
}

}  // namespace
}  // namespace bg
