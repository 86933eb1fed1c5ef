// Blocked matrix products (see bg/kernels/gemm.h).
//
// C (n, m) += A (n, k) · B (k, m), with A and B read through strides (which is how one
// routine serves all three layouts). The loops block every operand for a level of cache:
//   for each block of kNc columns of B:
//     for each block of kKc steps of the shared dimension:
//       pack the kKc × kNc block of B into panels of kNr columns (each kKc × kNr, 32 KB: L1);
//       for each block of kMc rows of A:
//         pack the kMc × kKc block of A into tiles of kMr rows (192 KB: L2);
//         for each panel of B, for each tile of A: the micro-kernel adds a kMr × kNr tile of C.
// Packing lays each operand out in the order the micro-kernel reads it, so the innermost
// loop walks two contiguous arrays whatever the layout, and the packed block of B is reused
// by every block of A (and the packed block of A by every panel of B) while it is in cache.
// The micro-kernel keeps its tile in registers (kMr·kNr floats, sized for the target's vector
// registers: bg/kernels/gemm.h) and, for every p < kc, broadcasts kMr values of A against one
// row of kNr values of B: kMr·kNr multiply-adds for kMr + kNr loads. Partial tiles at the edges are
// padded with zeros and only their valid part is written back. Each multiply-add is one fused,
// explicit muladd (bg/kernels/muladd.h), so every compiler computes the same bits. Blocking and
// packing move values, never change a sum: every element of C is the same chain of multiply-adds
// over each depth block, in order, whatever the block sizes of rows and columns — and whatever the
// register tile, which is why each target may have its own and still give the same bits.
#include "bg/kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "bg/kernels/muladd.h"
#include "bg/kernels/parallel.h"

namespace bg {

namespace {

constexpr int64_t kMr = kGemmTile.rows;   // rows of the register tile
constexpr int64_t kNr = kGemmTile.cols;   // columns of the register tile
constexpr int64_t kKc = kGemmDepthBlock;  // depth of a packed block (changing it changes the sums)
constexpr int64_t kMc = 192;              // rows of a packed block of A (a multiple of kMr)
constexpr int64_t kNc = 1536;             // columns of a packed block of B (a multiple of kNr)
constexpr int64_t kAhead = 2 * kMr;       // rows of A prefetched ahead while packing
static_assert(kMc % kMr == 0 && kNc % kNr == 0, "a packed block holds whole register tiles");

using View = MatView;
float at(View v, int64_t i, int64_t j) { return v.p[i * v.rs + j * v.cs]; }

// Packs depth [p0, p0+kc) × columns [j0, j0+cols) of B into one kc × kNr panel (row p holds
// B(p0 + p, j0 .. j0+kNr-1)), padding missing columns with zeros.
void pack_b(View b, int64_t p0, int64_t kc, int64_t j0, int64_t cols, float* out) {
  for (int64_t p = 0; p < kc; ++p) {
    for (int64_t j = 0; j < kNr; ++j) *out++ = j < cols ? at(b, p0 + p, j0 + j) : 0.0f;
  }
}

// Packs rows [i0, i0+rows) × depth [p0, p0+kc) of A as consecutive kMr-row tiles, each
// kc steps of kMr values — the order the micro-kernel reads them — padding missing rows with
// zeros. The loops follow A's memory: a row at a time when its rows are contiguous, a step
// of the shared dimension at a time otherwise (aᵀ in gemm_tn), so that the reads, which come
// from main memory, are sequential and the scattered writes stay in cache. Each row is only
// kc values long, too short for the hardware to see the stream coming, so the rows kAhead
// further on are prefetched while this tile is copied.
void pack_a(View a, int64_t i0, int64_t rows, int64_t p0, int64_t kc, float* out) {
  for (int64_t t = 0; t < rows; t += kMr, out += kMr * kc) {
    const int64_t valid = std::min(kMr, rows - t);
    if (a.cs == 1) {
      for (int64_t i = 0; i < valid; ++i) {
        const float* row = a.p + (i0 + t + i) * a.rs + p0;
        if (t + kAhead + i < rows) {  // ask memory for the same row of a tile further on
          const float* later = row + kAhead * a.rs;
          for (int64_t p = 0; p < kc; p += 16) __builtin_prefetch(later + p);
        }
        for (int64_t p = 0; p < kc; ++p) out[p * kMr + i] = row[p];
      }
      for (int64_t i = valid; i < kMr; ++i)
        for (int64_t p = 0; p < kc; ++p) out[p * kMr + i] = 0.0f;
    } else {
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t i = 0; i < kMr; ++i)
          out[p * kMr + i] = i < valid ? at(a, i0 + t + i, p0 + p) : 0.0f;
    }
  }
}

constexpr int64_t kLanes = kFloatLanes;  // floats in one vector register
constexpr int64_t kNv = kNr / kLanes;    // vector registers in one row of the tile
static_assert(kLanes == kGemmTile.vector_floats && kNr % kLanes == 0,
              "a row of the register tile is whole vector registers");

FloatLanes load_lanes(const float* p) {
  FloatLanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The register tile: C tile (kMr × kNr, row i at c + i*ldc) += A tile · B panel (kc × kNr,
// row p at b + p*ldb). The A tile is packed (kc steps of kMr values: ars = 1, acs = kMr) or
// read in place (element (i, p) at a[i*ars + p*acs]). The tile is kMr rows of kNv vector
// registers, written with the target's vector type (bg/kernels/muladd.h) so that the compiler
// keeps it in registers: left to vectorise plain loops over floats, g++ vectorised AVX2's
// 6 × 16 tile along p, with shuffles and spills. The loops over the tile are unrolled
// explicitly: unrolled late, g++ for aarch64 kept acc in memory, stored on every step. Lane l
// of acc[i][v] is element (i, v·kLanes + l): the same chain of muladd as a plain loop over
// the elements.
void micro_kernel(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, int64_t kc,
                  float* c, int64_t ldc) {
  FloatLanes acc[kMr][kNv];
#pragma GCC unroll 16
  for (int64_t i = 0; i < kMr; ++i)
#pragma GCC unroll 16
    for (int64_t v = 0; v < kNv; ++v) acc[i][v] = FloatLanes{};
  for (int64_t p = 0; p < kc; ++p) {
    const float* bp = b + p * ldb;
    const float* ap = a + p * acs;
    FloatLanes bv[kNv];
#pragma GCC unroll 16
    for (int64_t v = 0; v < kNv; ++v) bv[v] = load_lanes(bp + v * kLanes);
#pragma GCC unroll 16
    for (int64_t i = 0; i < kMr; ++i) {
      const FloatLanes ai = lanes_of(ap[i * ars]);
#pragma GCC unroll 16
      for (int64_t v = 0; v < kNv; ++v) acc[i][v] = muladd(ai, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int64_t i = 0; i < kMr; ++i) {
#pragma GCC unroll 16
    for (int64_t v = 0; v < kNv; ++v) {
      const FloatLanes sum = load_lanes(c + i * ldc + v * kLanes) + acc[i][v];
      std::memcpy(c + i * ldc + v * kLanes, &sum, sizeof sum);
    }
  }
}

// A partial tile at an edge (rows × cols of C valid, the operands padded with zeros): the
// whole-tile kernel adds into a copy of the valid part, which is then copied back, so each
// valid element is the same c + acc.
void micro_kernel_edge(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                       int64_t kc, float* c, int64_t ldc, int64_t rows, int64_t cols) {
  float tile[kMr * kNr] = {};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) tile[i * kNr + j] = c[i * ldc + j];
  micro_kernel(a, ars, acs, b, ldb, kc, tile, kNr);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) c[i * ldc + j] = tile[i * kNr + j];
}

// C tile += A tile · B panel, the valid rows × cols of it.
void tile_product(const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, int64_t kc,
                  float* c, int64_t ldc, int64_t rows, int64_t cols) {
  if (rows == kMr && cols == kNr) {
    micro_kernel(a, ars, acs, b, ldb, kc, c, ldc);
  } else {
    micro_kernel_edge(a, ars, acs, b, ldb, kc, c, ldc, rows, cols);
  }
}

}  // namespace

// One thread's share: C (n, m) += A (n, k) · B (k, m), c already offset to the share.
// When A is a single block (n <= kMc), packing buys little: the block stays in cache anyway,
// and each panel of B is read once. A small product (attention's, or a course-sized
// layer's) would spend as long packing as multiplying, so A and B are then read in place
// where their rows are contiguous (only partial edge tiles are packed, for the padding).
void gemm_serial(View a, View b, float* c, int64_t ldc, int64_t n, int64_t k, int64_t m) {
  if (n == 0 || m == 0 || k == 0) return;
  thread_local std::vector<float> b_pack, a_pack;
  const bool b_in_place = b.cs == 1 && n <= kMc;
  const bool a_in_place = a.cs == 1 && n <= kMc;
  const int64_t panels = (std::min(kNc, m) + kNr - 1) / kNr;
  b_pack.resize(static_cast<size_t>(kKc * kNr * panels));
  a_pack.resize(static_cast<size_t>(kMc * kKc));
  for (int64_t j0 = 0; j0 < m; j0 += kNc) {
    const int64_t nc = std::min(kNc, m - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t kc = std::min(kKc, k - p0);
      if (!b_in_place) {
        for (int64_t j = 0; j < nc; j += kNr)
          pack_b(b, p0, kc, j0 + j, std::min(kNr, nc - j), b_pack.data() + j * kc);
      }
      for (int64_t i0 = 0; i0 < n; i0 += kMc) {
        const int64_t mc = std::min(kMc, n - i0);
        const int64_t whole = a_in_place ? mc / kMr * kMr : 0;  // rows read in place
        pack_a(a, i0 + whole, mc - whole, p0, kc, a_pack.data() + whole * kc);
        for (int64_t j = 0; j < nc; j += kNr) {
          const int64_t cols = std::min(kNr, nc - j);
          const float* panel = b_pack.data() + j * kc;
          int64_t ldb = kNr;
          if (b_in_place && cols == kNr) {
            panel = b.p + p0 * b.rs + j0 + j;
            ldb = b.rs;
          } else if (b_in_place) {
            pack_b(b, p0, kc, j0 + j, cols, b_pack.data());
            panel = b_pack.data();
          }
          for (int64_t i = 0; i < mc; i += kMr) {
            float* ct = c + (i0 + i) * ldc + j0 + j;
            if (i < whole) {
              tile_product(a.p + (i0 + i) * a.rs + p0, a.rs, 1, panel, ldb, kc, ct, ldc, kMr, cols);
            } else {
              tile_product(a_pack.data() + i * kc, 1, kMr, panel, ldb, kc, ct, ldc,
                           std::min(kMr, mc - i), cols);
            }
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
  // kGemmDotRows, not the tile's rows: which products take this path decides their sums.
  if (n < kGemmDotRows && a.cs == 1 && b.rs == 1) {
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
