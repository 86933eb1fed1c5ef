// Matrix products and transposes — lesson 04.
#pragma once

#include "bg/tensor.h"

namespace bg {

// ---- Lesson 04, exercise 1 ----------------------------------------------------------------
// Swap two dimensions (the result is contiguous: the values are copied into the new order).
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);

// ---- Lesson 04, exercise 2 (forward) and exercise 3 (backward) -----------------------------
// Matrix product like torch.matmul for operands of at least 2 dims:
//   a (..., n, k) @ b (..., k, m) -> (..., n, m), the batch dims "..." broadcast.
// 1-D operands are not supported (reshape them). bg::Error showing both shapes when the
// inner dimensions differ or the batch dims do not broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// The raw kernels matmul is built on, each on contiguous row-major arrays. They ADD into c.
//   c (n, m) += a (n, k) · b (k, m)
void matmul_nn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);
//   c (n, m) += a (n, k) · bᵀ, with b stored (m, k)       — the x·Wᵀ of Linear
void matmul_nt(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);
//   c (n, m) += aᵀ · b, with a stored (k, n), b (k, m)    — the weight gradient of Linear
void matmul_tn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);

}  // namespace bg
