// The engine's fast kernels (bg/kernels/gemm.h) must compute exactly what the plain kernels of
// lesson 04 compute, on sizes that do not fit the register tile or the cache blocks:
// 1, primes, non-multiples of the vector width, and depths beyond one packed block.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "bg/kernels/gemm.h"
#include "bg/kernels/muladd.h"
#include "bg/kernels/parallel.h"
#include "bg/linalg.h"
#include "bg/random.h"

namespace {

std::vector<float> random_values(int64_t count, bg::Generator& gen) {
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = gen.uniform(-1.0f, 1.0f);
  return v;
}

using Kernel = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t);

// Runs `fast` and `plain` on the same random operands (c starts non-zero: both must ADD).
void expect_same(Kernel fast, Kernel plain, int64_t n, int64_t k, int64_t m) {
  bg::Generator gen(static_cast<uint64_t>(n * 1000003 + k * 1009 + m));
  const auto a = random_values(n * k, gen);
  const auto b = random_values(k * m, gen);
  auto c_fast = random_values(n * m, gen);
  auto c_plain = c_fast;
  fast(a.data(), b.data(), c_fast.data(), n, k, m);
  plain(a.data(), b.data(), c_plain.data(), n, k, m);
  for (size_t i = 0; i < c_fast.size(); ++i) {
    const double tol = 1e-5 * static_cast<double>(k) + 1e-5;
    ASSERT_NEAR(c_fast[i], c_plain[i], tol)
        << "n " << n << ", k " << k << ", m " << m << ", element " << i;
  }
}

const std::vector<std::array<int64_t, 3>> kSizes = {
    {1, 1, 1},      {1, 7, 1},    {7, 1, 13},   {6, 32, 32},   {5, 3, 31},
    {13, 17, 33},   {97, 5, 2},   {2, 300, 3},  {31, 257, 65}, {100, 33, 100},
    {256, 32, 611}, {61, 613, 7}, {1, 32, 611}, {4, 37, 19}};  // fewer rows than the register tile:
                                                               // the dot-product path

TEST(FastKernels, NnAgreesWithPlainKernel) {
  for (const auto& s : kSizes) expect_same(bg::gemm_nn, bg::matmul_nn, s[0], s[1], s[2]);
}

TEST(FastKernels, NtAgreesWithPlainKernel) {
  for (const auto& s : kSizes) expect_same(bg::gemm_nt, bg::matmul_nt, s[0], s[1], s[2]);
}

TEST(FastKernels, TnAgreesWithPlainKernel) {
  for (const auto& s : kSizes) expect_same(bg::gemm_tn, bg::matmul_tn, s[0], s[1], s[2]);
}

// On one thread the whole product is one share, so every cache block of the kernel is
// crossed: 400 rows are three blocks of A (the last partial), 1601 columns two blocks of B
// (the last with a partial panel), a depth of 300 two packed depth blocks.
TEST(FastKernels, AgreeAcrossEveryCacheBlockOnOneThread) {
  const int before = bg::num_threads();
  bg::set_num_threads(1);
  expect_same(bg::gemm_nn, bg::matmul_nn, 400, 300, 1601);
  expect_same(bg::gemm_nt, bg::matmul_nt, 400, 300, 1601);
  expect_same(bg::gemm_tn, bg::matmul_tn, 400, 300, 1601);
  bg::set_num_threads(before);
}

TEST(FastKernels, SameResultWithOneAndTwoThreads) {
  const int before = bg::num_threads();
  bg::Generator gen(7);
  const int64_t n = 300, k = 64, m = 500;
  const auto a = random_values(n * k, gen);
  const auto b = random_values(k * m, gen);
  std::vector<float> c1(static_cast<size_t>(n * m), 0.0f), c2 = c1;
  bg::set_num_threads(1);
  bg::gemm_nt(a.data(), b.data(), c1.data(), n, k, m);
  bg::set_num_threads(2);
  bg::gemm_nt(a.data(), b.data(), c2.data(), n, k, m);
  bg::set_num_threads(before);
  EXPECT_EQ(c1, c2);  // each element is computed by one thread in the same order
}

// The order of every sum, which the register tile must not change (it differs by target:
// bg/kernels/gemm.h): each element of C adds, per depth block of kGemmDepthBlock steps, one
// chain of muladd from zero over the block in order; a product with fewer than kGemmDotRows
// rows and both operands contiguous along k (gemm_nt) is one dot() per element instead.
// Bit for bit, on sizes around the tile's edges, the cache blocks and the depth blocks.
float chained(const std::vector<float>& a, const std::vector<float>& b, float c, int64_t i,
              int64_t j, int64_t k, int64_t m, bool transposed_b) {
  for (int64_t p0 = 0; p0 < k; p0 += bg::kGemmDepthBlock) {
    float acc = 0.0f;
    for (int64_t p = p0; p < std::min(k, p0 + bg::kGemmDepthBlock); ++p) {
      const float bv =
          transposed_b ? b[static_cast<size_t>(j * k + p)] : b[static_cast<size_t>(p * m + j)];
      acc = bg::muladd(a[static_cast<size_t>(i * k + p)], bv, acc);
    }
    c += acc;
  }
  return c;
}

TEST(FastKernels, EveryTileSumsInTheSameOrder) {
  const int64_t r = bg::kGemmTile.rows, q = bg::kGemmTile.cols;
  const std::vector<std::array<int64_t, 3>> sizes = {
      {r, 7, q},        {r + 1, 300, q - 1}, {2 * r - 1, 513, 2 * q + 3}, {bg::kGemmDotRows, 40, 9},
      {197, 260, 1541}, {7, 257, 3 * q + 1}};
  const int before = bg::num_threads();
  for (int threads : {1, 2}) {
    bg::set_num_threads(threads);
    for (const auto& s : sizes) {
      const int64_t n = s[0], k = s[1], m = s[2];
      bg::Generator gen(static_cast<uint64_t>(n * 7919 + k * 31 + m));
      const auto a = random_values(n * k, gen);
      const auto b = random_values(k * m, gen);
      const auto c0 = random_values(n * m, gen);
      auto c_nn = c0, c_nt = c0;
      bg::gemm_nn(a.data(), b.data(), c_nn.data(), n, k, m);
      // bᵀ stored (m, k), the same values
      std::vector<float> bt(static_cast<size_t>(k * m));
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < m; ++j)
          bt[static_cast<size_t>(j * k + p)] = b[static_cast<size_t>(p * m + j)];
      bg::gemm_nt(a.data(), bt.data(), c_nt.data(), n, k, m);
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < m; ++j) {
          const size_t e = static_cast<size_t>(i * m + j);
          const float want = chained(a, b, c0[e], i, j, k, m, false);
          ASSERT_EQ(c_nn[e], want) << "gemm_nn n " << n << ", k " << k << ", m " << m << " at ("
                                   << i << ", " << j << "), threads " << threads;
          if (n < bg::kGemmDotRows) continue;  // gemm_nt's dot-product path (4 rows on SSE2)
          ASSERT_EQ(c_nt[e], want) << "gemm_nt n " << n << ", k " << k << ", m " << m << " at ("
                                   << i << ", " << j << "), threads " << threads;
        }
      }
    }
  }
  bg::set_num_threads(before);
}

// The register tile fits the target's vector registers: the accumulators, one row of B and a
// broadcast value of A, and its rows are whole vector registers of the type the kernel uses.
TEST(FastKernels, RegisterTileFitsTheRegisters) {
  const auto& t = bg::kGemmTile;
  EXPECT_EQ(t.vector_floats, bg::kFloatLanes);
  EXPECT_EQ(t.cols % t.vector_floats, 0);
  EXPECT_LE(t.rows * t.cols / t.vector_floats + t.cols / t.vector_floats + 1, t.vector_registers);
  EXPECT_GE(t.rows, 1);
}

TEST(FastKernels, EmptyProductsLeaveCUntouched) {
  std::vector<float> c = {1.0f, 2.0f};
  bg::gemm_nn(nullptr, nullptr, c.data(), 1, 0, 2);
  EXPECT_EQ(c, (std::vector<float>{1.0f, 2.0f}));
}

}  // namespace
