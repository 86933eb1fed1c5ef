// Lesson 04, exercises 2 and 3: the matrix-product kernels and the batched matmul op.
// Read lessons/04_linear_layers/README.md#exercise-2 and #exercise-3, then replace the
// stubs' bodies.
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

// ---- Exercise 2: three kernels on raw row-major arrays. Each ADDS into c (c += ...,
// never c = ...): the backward passes rely on it to accumulate gradients.
//
// Pick the loop order so that the INNERMOST loop walks contiguous memory with a fixed
// scalar, like  c_row[j] += s * b_row[j]  for j = 0..m-1. That loop has no dependency
// between iterations, so the compiler turns it into SIMD instructions. The naive i-j-p
// order instead strides down a column of b (a cache miss per step) and sums into one
// scalar (a serial dependency).

// c (n, m) += a (n, k) · b (k, m)          c[i][j] += Σ_p a[i][p] · b[p][j]
// Hint: the i-p-j order. For each row i and each p, add a[i][p] times row p of b to row i
// of c.
void matmul_nn([[maybe_unused]] const float* a, [[maybe_unused]] const float* b,
               [[maybe_unused]] float* c, [[maybe_unused]] int64_t n, [[maybe_unused]] int64_t k,
               [[maybe_unused]] int64_t m) {
  bg::not_implemented(4, 2, "matmul_nn");
}

// c (n, m) += a (n, k) · bᵀ where b is stored (m, k)      c[i][j] += Σ_p a[i][p] · b[j][p]
// Here row i of a and row j of b are both contiguous: c[i][j] is the dot product of two
// contiguous rows. Sum it in a local float, then add it to c[i][j] once.
void matmul_nt([[maybe_unused]] const float* a, [[maybe_unused]] const float* b,
               [[maybe_unused]] float* c, [[maybe_unused]] int64_t n, [[maybe_unused]] int64_t k,
               [[maybe_unused]] int64_t m) {
  bg::not_implemented(4, 2, "matmul_nt");
}

// c (n, m) += aᵀ · b where a is stored (k, n) and b (k, m)   c[i][j] += Σ_p a[p][i] · b[p][j]
// Hint: put p outermost. For each p, row p of a holds the n scalars a[p][i]; add
// a[p][i] times row p of b to row i of c.
void matmul_tn([[maybe_unused]] const float* a, [[maybe_unused]] const float* b,
               [[maybe_unused]] float* c, [[maybe_unused]] int64_t n, [[maybe_unused]] int64_t k,
               [[maybe_unused]] int64_t m) {
  bg::not_implemented(4, 2, "matmul_tn");
}

// ---- Exercise 3: the op, like torch.matmul for operands with at least 2 dims.
//
//   a (..., n, k) @ b (..., k, m) -> (..., n, m)
//
// The leading "batch" dims of a and b broadcast against each other (broadcast_shapes from
// lesson 03): (2, 1, 3, 4) @ (3, 4, 5) -> (2, 3, 3, 5); (4, 3) @ (2, 3, 5) -> (2, 4, 5).
//
// Errors (bg::Error whose message shows BOTH shapes with shape_str):
//   * an operand with fewer than 2 dims;
//   * inner dims that differ (a's last vs b's second to last);
//   * batch dims that do not broadcast.
//
// Forward: for every output batch index t, find the offset of the (n, k) matrix of a and of
// the (k, m) matrix of b it reads — a batch dim of size 1 (or a missing one) always reads
// index 0 — and run matmul_nn into the t-th (n, m) block of a zeroed output. Compute the
// offsets once in the forward and let the backward lambda capture them (by value). The
// broadcast walk of lesson 03 finds them: broadcast_strides and for_each_broadcast_row in
// bg/shape.h, over the batch shape.
//
// Backward: for every batch t, the gradients of that batch's A (n, k) and B (k, m) from the
// (n, m) block of out.grad — README §1 derives both; each is one of your exercise-2 kernels
// (look at which layout each operand is stored in). ADD them into grad_buffer(...) at that
// batch's offsets, only for inputs that require_grad. A broadcast batch dim makes several t
// hit the same matrix: the += of the kernels sums their contributions, which is exactly the
// gradient of a broadcast (lesson 03).
Tensor matmul([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b) {
  bg::not_implemented(4, 3, "matmul");
}

}  // namespace bg
