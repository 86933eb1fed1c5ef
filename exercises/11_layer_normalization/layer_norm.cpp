// Lesson 11, exercises 1 and 2: the layer-norm kernels. Read
// lessons/11_layer_normalization/README.md#exercise-1 and #exercise-2, then replace the
// stubs' bodies.
#include <cmath>

#include "bg/blocks.h"
#include "bg/error.h"

namespace bg {

// Exercise 1. Raw row-major arrays: x and y are (rows, C), gamma and beta are (C), mean and
// rstd are (rows). Normalise every row of x as README §1 defines it (the biased variance,
// eps inside the square root, as PyTorch), write y, and save each row's mean and rstd (the
// reciprocal of the standard deviation) for the backward pass. mean and rstd are outputs:
// write them, whatever they held before.
void layer_norm_forward([[maybe_unused]] const float* x, [[maybe_unused]] const float* gamma,
                        [[maybe_unused]] const float* beta, [[maybe_unused]] float* y,
                        [[maybe_unused]] float* mean, [[maybe_unused]] float* rstd,
                        [[maybe_unused]] int64_t rows, [[maybe_unused]] int64_t C,
                        [[maybe_unused]] float eps) {
  bg::not_implemented(11, 1, "layer_norm_forward");
}

// Exercise 2. g = dL/dy (rows, C); x, gamma as in exercise 1; mean and rstd are the
// statistics the forward saved (rows each). Outputs: dx (rows, C), dgamma (C), dbeta (C) —
// the three gradients README §2 derives. Rules the tests check:
// - ADD into every output, never overwrite (a buffer may already hold gradient);
// - any of dx, dgamma, dbeta may be null: that input needs no gradient, skip it;
// - dgamma and dbeta collect the contributions of every row.
void layer_norm_backward([[maybe_unused]] const float* g, [[maybe_unused]] const float* x,
                         [[maybe_unused]] const float* gamma, [[maybe_unused]] const float* mean,
                         [[maybe_unused]] const float* rstd, [[maybe_unused]] float* dx,
                         [[maybe_unused]] float* dgamma, [[maybe_unused]] float* dbeta,
                         [[maybe_unused]] int64_t rows, [[maybe_unused]] int64_t C) {
  bg::not_implemented(11, 2, "layer_norm_backward");
}

}  // namespace bg
