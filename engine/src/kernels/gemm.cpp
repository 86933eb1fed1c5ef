// Blocked, packed matrix products (see bg/kernels.h).
//
// The plan, for C (n, m) += A (n, k) · B (k, m) with A and B read through strides (which is
// how one routine serves all three layouts):
//   for each block of kKc rows of B (the shared dimension):
//     pack that block of B into column panels of width kNr   (kc × kNr each, row by row)
//     for each block of kMc rows of A:
//       pack it into row panels of height kMr                (kc × kMr each, column by column)
//       for each (row panel, column panel): the micro-kernel adds a kMr × kNr tile of C.
// The micro-kernel keeps its tile in registers (kMr·kNr floats) and, for every p < kc,
// broadcasts kMr values of A against one row of kNr values of B: kMr·kNr multiply-adds per
// kMr + kNr loads. Edge tiles are padded with zeros in the packed panels and only the valid
// part is written back.
#include "bg/kernels.h"

#include <algorithm>
#include <vector>

#include "bg/parallel.h"

namespace bg {

namespace {

constexpr int64_t kMr = 6;    // rows of the register tile
constexpr int64_t kNr = 32;   // columns of the register tile (2 × 16 floats)
constexpr int64_t kKc = 256;  // depth of a packed block
constexpr int64_t kMc = 96;   // rows of A packed at once (a multiple of kMr)

// A matrix seen through strides: element (i, j) is at p[i * rs + j * cs].
struct View {
  const float* p;
  int64_t rs, cs;
  float at(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

// Packs rows [i0, i0+mc) × depth [p0, p0+kc) of A into panels of kMr rows:
// panel r holds, for each p, the kMr values A(i0 + r*kMr + 0..kMr-1, p0 + p).
void pack_a(View a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* out) {
  for (int64_t r = 0; r < mc; r += kMr) {
    const int64_t rows = std::min(kMr, mc - r);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < kMr; ++i) {
        *out++ = i < rows ? a.at(i0 + r + i, p0 + p) : 0.0f;
      }
    }
  }
}

// Packs depth [p0, p0+kc) × columns [j0, j0+nc) of B into panels of kNr columns:
// panel c holds, for each p, the kNr values B(p0 + p, j0 + c*kNr + 0..kNr-1).
void pack_b(View b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* out) {
  for (int64_t c = 0; c < nc; c += kNr) {
    const int64_t cols = std::min(kNr, nc - c);
    for (int64_t p = 0; p < kc; ++p) {
      const int64_t row = p0 + p;
      if (cols == kNr && b.cs == 1) {
        std::copy_n(b.p + row * b.rs + j0 + c, kNr, out);
        out += kNr;
      } else {
        for (int64_t j = 0; j < kNr; ++j) *out++ = j < cols ? b.at(row, j0 + c + j) : 0.0f;
      }
    }
  }
}

// C tile (rows × cols valid, leading dimension ldc) += packed A panel · packed B panel.
void micro_kernel(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int64_t rows,
                  int64_t cols) {
  float acc[kMr][kNr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + p * kNr;
    const float* ap = a + p * kMr;
    for (int64_t i = 0; i < kMr; ++i) {
      const float ai = ap[i];
      for (int64_t j = 0; j < kNr; ++j) acc[i][j] += ai * bp[j];
    }
  }
  if (rows == kMr && cols == kNr) {
    for (int64_t i = 0; i < kMr; ++i)
      for (int64_t j = 0; j < kNr; ++j) c[i * ldc + j] += acc[i][j];
  } else {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) c[i * ldc + j] += acc[i][j];
  }
}

// One thread's share: C rows [0, n), all m columns (c already offset to the first row).
void gemm_serial(View a, View b, float* c, int64_t ldc, int64_t n, int64_t k, int64_t m) {
  thread_local std::vector<float> a_pack, b_pack;
  const int64_t m_padded = (m + kNr - 1) / kNr * kNr;
  b_pack.resize(static_cast<size_t>(std::min(k, kKc) * m_padded));
  a_pack.resize(static_cast<size_t>(std::min(k, kKc) * kMc));
  for (int64_t p0 = 0; p0 < k; p0 += kKc) {
    const int64_t kc = std::min(kKc, k - p0);
    pack_b(b, p0, kc, 0, m, b_pack.data());
    for (int64_t i0 = 0; i0 < n; i0 += kMc) {
      const int64_t mc = std::min(kMc, n - i0);
      pack_a(a, i0, mc, p0, kc, a_pack.data());
      for (int64_t j = 0; j < m; j += kNr) {
        const float* bp = b_pack.data() + (j / kNr) * kc * kNr;
        for (int64_t i = 0; i < mc; i += kMr) {
          micro_kernel(a_pack.data() + (i / kMr) * kc * kMr, bp, kc, c + (i0 + i) * ldc + j, ldc,
                       std::min(kMr, mc - i), std::min(kNr, m - j));
        }
      }
    }
  }
}

// Splits C between threads along its longer side; each part is an independent product.
void gemm(View a, View b, float* c, int64_t n, int64_t k, int64_t m) {
  if (n == 0 || m == 0 || k == 0) return;
  const double flops_per_row = 2.0 * static_cast<double>(k) * static_cast<double>(m);
  if (n >= m) {
    parallel_for((n + kMr - 1) / kMr, flops_per_row * kMr, [&](int64_t t0, int64_t t1) {
      const int64_t r0 = t0 * kMr, r1 = std::min(n, t1 * kMr);
      gemm_serial(View{a.p + r0 * a.rs, a.rs, a.cs}, b, c + r0 * m, m, r1 - r0, k, m);
    });
  } else {
    const double flops_per_col = 2.0 * static_cast<double>(k) * static_cast<double>(n);
    parallel_for((m + kNr - 1) / kNr, flops_per_col * kNr, [&](int64_t t0, int64_t t1) {
      const int64_t c0 = t0 * kNr, c1 = std::min(m, t1 * kNr);
      gemm_serial(a, View{b.p + c0 * b.cs, b.rs, b.cs}, c + c0, m, n, k, c1 - c0);
    });
  }
}

}  // namespace

void gemm_nn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  gemm(View{a, k, 1}, View{b, m, 1}, c, n, k, m);
}

void gemm_nt(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  gemm(View{a, k, 1}, View{b, 1, k}, c, n, k, m);
}

void gemm_tn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  gemm(View{a, 1, n}, View{b, m, 1}, c, n, k, m);
}

}  // namespace bg
