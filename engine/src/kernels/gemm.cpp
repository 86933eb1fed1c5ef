// Blocked matrix products (see bg/kernels.h).
//
// C (n, m) += A (n, k) · B (k, m), with A and B read through strides (which is how one
// routine serves all three layouts):
//   for each block of kKc steps of the shared dimension:
//     for each panel of kNr columns of B (used in place when its rows are contiguous,
//     otherwise packed into a contiguous kc × kNr copy):
//       for each tile of kMr rows of A: the micro-kernel adds a kMr × kNr tile of C.
// The micro-kernel keeps its tile in registers (kMr·kNr floats = 12 AVX-512 registers) and,
// for every p < kc, broadcasts kMr values of A against one row of kNr values of B: kMr·kNr
// multiply-adds for kMr + kNr loads. The B panel (kc × kNr floats, 32 KB) stays in cache while
// every row tile of A streams past it. Partial tiles at the edges are padded with zeros and
// only their valid part is written back. Each multiply-add is one fused, explicit muladd
// (bg/muladd.h), so every compiler computes the same bits.
#include "bg/kernels.h"

#include <algorithm>
#include <vector>

#include "bg/muladd.h"
#include "bg/parallel.h"

namespace bg {

namespace {

constexpr int64_t kMr = 6;    // rows of the register tile
constexpr int64_t kNr = 32;   // columns of the register tile (2 × 16 floats)
constexpr int64_t kKc = 256;  // depth of a packed block
constexpr int64_t kMc = 96;   // rows of A packed together when its rows are strided

using View = MatView;
float at(View v, int64_t i, int64_t j) { return v.p[i * v.rs + j * v.cs]; }

// Packs depth [p0, p0+kc) × columns [j0, j0+cols) of B into one kc × kNr panel (row p holds
// B(p0 + p, j0 .. j0+kNr-1)), padding missing columns with zeros.
void pack_b(View b, int64_t p0, int64_t kc, int64_t j0, int64_t cols, float* out) {
  for (int64_t p = 0; p < kc; ++p) {
    for (int64_t j = 0; j < kNr; ++j) *out++ = j < cols ? at(b, p0 + p, j0 + j) : 0.0f;
  }
}

// Copies rows [i0, i0+rows) × depth [p0, p0+kc) of A into a kMr × kc block (row-major),
// padding missing rows with zeros: the last, partial row tile of A.
void pad_a(View a, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* out) {
  for (int64_t i = 0; i < kMr; ++i)
    for (int64_t p = 0; p < kc; ++p) out[i * kc + p] = i < rows ? at(a, i0 + i, p0 + p) : 0.0f;
}

// Packs rows [i0, i0+rows) × depth [p0, p0+kc) of A as consecutive kMr-row tiles, each
// kc steps of kMr values — the order the micro-kernel reads them — padding missing rows with
// zeros. For an A whose rows are strided (aᵀ in gemm_tn): read in place, every step of the
// micro-kernel would take its kMr values from a different cache line.
void pack_a(View a, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* out) {
  for (int64_t t = 0; t < rows; t += kMr)
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t i = 0; i < kMr; ++i) *out++ = t + i < rows ? at(a, i0 + t + i, p0 + p) : 0.0f;
}

// The register tile: acc (kMr × kNr) = A tile (kMr × kc, element (i, p) at a[i*ars + p*acs])
// · B panel (kc × kNr, row p at b + p*ldb); then the valid rows × cols are added into C.
void micro_kernel(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, int64_t kc,
                  float* c, int64_t ldc, int64_t rows, int64_t cols) {
  float acc[kMr][kNr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + p * ldb;
    const float* ap = a + p * acs;
    for (int64_t i = 0; i < kMr; ++i) {
      const float ai = ap[i * ars];
      for (int64_t j = 0; j < kNr; ++j) acc[i][j] = muladd(ai, bp[j], acc[i][j]);
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

}  // namespace

// One thread's share: C (n, m) += A (n, k) · B (k, m), c already offset to the share.
// B is used in place when its rows are contiguous and a panel is whole, packed otherwise.
// A is read in place when its rows are contiguous (only its last, partial row tile is copied
// and padded); when they are strided, blocks of kMc rows are packed once per depth block
// and reused by every panel of B. Packing moves values, never changes a sum: the results are
// the same bits either way.
void gemm_serial(View a, View b, float* c, int64_t ldc, int64_t n, int64_t k, int64_t m) {
  if (n == 0 || m == 0 || k == 0) return;
  thread_local std::vector<float> b_pack, a_pad, a_pack;
  b_pack.resize(static_cast<size_t>(kKc * kNr));
  a_pad.resize(static_cast<size_t>(kMr * kKc));
  const bool pack_rows = a.cs != 1;
  if (pack_rows) a_pack.resize(static_cast<size_t>(kMc * kKc));
  const int64_t mc = pack_rows ? kMc : n;  // rows per block of A
  for (int64_t p0 = 0; p0 < k; p0 += kKc) {
    const int64_t kc = std::min(kKc, k - p0);
    for (int64_t i0 = 0; i0 < n; i0 += mc) {
      const int64_t i1 = std::min(n, i0 + mc);
      if (pack_rows) pack_a(a, i0, i1 - i0, p0, kc, a_pack.data());
      for (int64_t j = 0; j < m; j += kNr) {
        const int64_t cols = std::min(kNr, m - j);
        const float* panel = nullptr;
        int64_t ldb = kNr;
        if (b.cs == 1 && cols == kNr) {
          panel = b.p + p0 * b.rs + j;
          ldb = b.rs;
        } else {
          pack_b(b, p0, kc, j, cols, b_pack.data());
          panel = b_pack.data();
        }
        for (int64_t i = i0; i < i1; i += kMr) {
          const int64_t rows = std::min(kMr, i1 - i);
          float* ct = c + i * ldc + j;
          if (pack_rows) {
            micro_kernel(a_pack.data() + (i - i0) * kc, 1, kMr, panel, ldb, kc, ct, ldc, rows,
                         cols);
          } else if (rows == kMr) {
            micro_kernel(a.p + i * a.rs + p0 * a.cs, a.rs, a.cs, panel, ldb, kc, ct, ldc, rows,
                         cols);
          } else {
            pad_a(a, i, rows, p0, kc, a_pad.data());
            micro_kernel(a_pad.data(), kc, 1, panel, ldb, kc, ct, ldc, rows, cols);
          }
        }
      }
    }
  }
}

// sum_p a[p] · b[p] over contiguous arrays, in sixteen lanes the compiler keeps in a vector
// register (one running sum would be a chain of dependent additions).
float dot(const float* a, const float* b, int64_t k) {
  constexpr int64_t kLanes = 16;
  float lane[kLanes] = {};
  int64_t p = 0;
  for (; p + kLanes <= k; p += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = muladd(a[p + j], b[p + j], lane[j]);
  float s = 0.0f;
  for (int64_t j = 0; j < kLanes; ++j) s += lane[j];
  for (; p < k; ++p) s = muladd(a[p], b[p], s);
  return s;
}

namespace {

// Splits C between threads along its longer side; each part is an independent product.
void gemm(View a, View b, float* c, int64_t n, int64_t k, int64_t m) {
  if (n == 0 || m == 0 || k == 0) return;
  if (n < kMr && a.cs == 1 && b.rs == 1) {
    // A few rows times a transposed B (sampling: one position times lm_head's weight): both
    // operands are contiguous along k, so each element is one dot product. Packing B for a
    // single row would cost more than the product itself.
    parallel_for(m, 2.0 * static_cast<double>(k * n), [&](int64_t j0, int64_t j1) {
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = j0; j < j1; ++j) c[i * m + j] += dot(a.p + i * a.rs, b.p + j * b.cs, k);
    });
    return;
  }
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
