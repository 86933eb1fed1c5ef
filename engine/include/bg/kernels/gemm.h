// Fast matrix-product kernels of the engine. They compute exactly what the plain kernels of
// lesson 04 compute (matmul_nn / matmul_nt / matmul_tn in bg/linalg.h) — C += A·B in three
// layouts — but blocked for the caches, packed so that the innermost loop is a small
// register tile the compiler vectorises, and split across threads (bg/kernels/parallel.h) when the
// product is big enough. A test checks them against the plain kernels on awkward sizes.
#pragma once

#include <cstdint>

namespace bg {

// The register tile of the micro-kernel: rows × cols floats of C kept in vector registers
// while the shared dimension streams past. Chosen at compile time for the vector registers of
// the target, so that the tile (rows · cols / vector_floats accumulators), one row of B
// (cols / vector_floats registers) and a broadcast value of A fit without spilling:
//   AVX-512 (32 × 16 floats)          6 × 32: 12 accumulators + 2 + 1 of 32
//   AVX, AVX2 (16 × 8 floats)         6 × 16: 12 accumulators + 2 + 1 of 16
//   aarch64 NEON (32 × 4 floats)      8 × 8:  16 accumulators + 2 + 8 (g++ loads all 8 values
//                                     of A at once; 8 × 12 and 6 × 16 spilled) of 32
//   anything else (SSE2: 16 × 4)      4 × 8:   8 accumulators + 2 + 1 (+ 1 without FMA)
// The tile moves values, never changes a sum: every element of C is the same chain of
// multiply-adds over each depth block of kGemmDepthBlock steps, in order, whatever the tile,
// so every target computes the same bits (tools/same_numbers.sh, tools/aarch64.sh).
struct GemmTile {
  int64_t rows, cols;
  int vector_floats;     // floats in one vector register
  int vector_registers;  // vector registers the target has
  const char* isa;       // the instruction set the tile was chosen for
};
#if defined(__AVX512F__)
inline constexpr GemmTile kGemmTile{6, 32, 16, 32, "AVX-512"};
#elif defined(__AVX2__)
inline constexpr GemmTile kGemmTile{6, 16, 8, 16, "AVX2"};
#elif defined(__AVX__)
inline constexpr GemmTile kGemmTile{6, 16, 8, 16, "AVX"};
#elif defined(__aarch64__)
inline constexpr GemmTile kGemmTile{8, 8, 4, 32, "NEON (aarch64)"};
#elif defined(__SSE2__)
inline constexpr GemmTile kGemmTile{4, 8, 4, 16, "SSE2"};
#else
inline constexpr GemmTile kGemmTile{4, 8, 4, 16, "generic"};
#endif
// What fixes the sums, the same on every target: the depth of a packed block (each element of
// C adds one chain of multiply-adds per block), and the row count below which a product with
// both operands contiguous along k is one dot() per element instead (changing either changes
// the bits).
inline constexpr int64_t kGemmDepthBlock = 256;
inline constexpr int64_t kGemmDotRows = 6;

// c (n, m) += a (n, k) · b (k, m)
void gemm_nn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);
// c (n, m) += a (n, k) · bᵀ, b stored (m, k)
void gemm_nt(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);
// c (n, m) += aᵀ · b, a stored (k, n), b (k, m)
void gemm_tn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);

// sum_p a[p] · b[p] over k contiguous values, in sixteen lanes (a vector register), each
// step one explicit multiply-add (bg/kernels/muladd.h).
float dot(const float* a, const float* b, int64_t k);

// A matrix read through strides: element (i, j) is at p[i * rs + j * cs]. A transposed
// matrix is the same memory with rs and cs swapped; one head's columns of a wider matrix
// are p + offset with the wider row stride.
struct MatView {
  const float* p;
  int64_t rs, cs;
};
// c (n, m), row stride ldc, += A (n, k) · B (k, m) on this thread only: for kernels that
// split their work across threads themselves (attention splits by sequence × head).
void gemm_serial(MatView a, MatView b, float* c, int64_t ldc, int64_t n, int64_t k, int64_t m);

}  // namespace bg
