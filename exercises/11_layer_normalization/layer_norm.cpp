// Lesson 11, exercises 1 and 2: the layer-norm kernels. Read
// lessons/11_layer_normalization/README.md#exercise-1 and #exercise-2, then replace the
// stubs' bodies.
#include <cmath>

#include "bg/error.h"
#include "bg/gpt.h"

namespace bg {

// Exercise 1. For each row r of x (rows, C):
//   mean[r] = average of the row;  var = average of (x - mean[r])²   (divide by C, not C - 1)
//   rstd[r] = 1 / sqrt(var + eps)          (eps inside the square root, as PyTorch)
//   y[r, c] = (x[r, c] - mean[r]) * rstd[r] * gamma[c] + beta[c]
void layer_norm_forward([[maybe_unused]] const float* x, [[maybe_unused]] const float* gamma,
                        [[maybe_unused]] const float* beta, [[maybe_unused]] float* y,
                        [[maybe_unused]] float* mean, [[maybe_unused]] float* rstd,
                        [[maybe_unused]] int64_t rows, [[maybe_unused]] int64_t C,
                        [[maybe_unused]] float eps) {
  bg::not_implemented(11, 1, "layer_norm_forward");
}

// Exercise 2. For each row r, with xhat = (x - mean[r]) * rstd[r] and gg = g * gamma:
//   dbeta[c]  += g[r, c]                    (skip when dbeta is null)
//   dgamma[c] += g[r, c] * xhat[r, c]       (skip when dgamma is null)
//   dx[r, c]  += rstd[r] * (gg[r, c] - mean_c(gg[r, ·]) - xhat[r, c] * mean_c(gg[r, ·] * xhat[r,
//   ·]))
//                                           (skip when dx is null)
// Every output is ADDED to, never overwritten.
void layer_norm_backward([[maybe_unused]] const float* g, [[maybe_unused]] const float* x,
                         [[maybe_unused]] const float* gamma, [[maybe_unused]] const float* mean,
                         [[maybe_unused]] const float* rstd, [[maybe_unused]] float* dx,
                         [[maybe_unused]] float* dgamma, [[maybe_unused]] float* dbeta,
                         [[maybe_unused]] int64_t rows, [[maybe_unused]] int64_t C) {
  bg::not_implemented(11, 2, "layer_norm_backward");
}

}  // namespace bg
