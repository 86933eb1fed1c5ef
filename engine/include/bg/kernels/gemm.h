// Fast matrix-product kernels of the engine. They compute exactly what the plain kernels of
// lesson 04 compute (matmul_nn / matmul_nt / matmul_tn in bg/linalg.h) — C += A·B in three
// layouts — but blocked for the caches, packed so that the innermost loop is a small
// register tile the compiler vectorises, and split across threads (bg/kernels/parallel.h) when the
// product is big enough. A test checks them against the plain kernels on awkward sizes.
#pragma once

#include <cstdint>

namespace bg {

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
