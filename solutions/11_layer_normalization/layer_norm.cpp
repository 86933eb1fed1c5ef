// Lesson 11, exercises 1 and 2: the layer-norm kernels, forward and backward side by side.
#include <cmath>

#include "bg/blocks.h"

namespace bg {

// x, y (rows, C); gamma, beta (C); mean, rstd (rows)
void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* rstd, int64_t rows, int64_t C, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    float m = 0.0f;
    for (int64_t c = 0; c < C; ++c) m += xr[c];
    m /= static_cast<float>(C);
    float v = 0.0f;
    for (int64_t c = 0; c < C; ++c) v += (xr[c] - m) * (xr[c] - m);
    v /= static_cast<float>(C);  // biased: divide by C, not C - 1
    const float s = 1.0f / std::sqrt(v + eps);
    for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - m) * s * gamma[c] + beta[c];
    mean[r] = m;
    rstd[r] = s;
  }
}

// g, x, dx (rows, C); gamma, dgamma, dbeta (C); mean, rstd (rows)
void layer_norm_backward(const float* g, const float* x, const float* gamma, const float* mean,
                         const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t C) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* gr = g + r * C;
    const float* xr = x + r * C;
    const float m = mean[r], s = rstd[r];
    // the two row means the dx formula needs
    float mean_gg = 0.0f, mean_ggx = 0.0f;
    for (int64_t c = 0; c < C; ++c) {
      const float xhat = (xr[c] - m) * s;
      const float gg = gr[c] * gamma[c];
      mean_gg += gg;
      mean_ggx += gg * xhat;
      if (dbeta != nullptr) dbeta[c] += gr[c];
      if (dgamma != nullptr) dgamma[c] += gr[c] * xhat;
    }
    mean_gg /= static_cast<float>(C);
    mean_ggx /= static_cast<float>(C);
    if (dx == nullptr) continue;
    float* dxr = dx + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float xhat = (xr[c] - m) * s;
      dxr[c] += s * (gr[c] * gamma[c] - mean_gg - xhat * mean_ggx);
    }
  }
}

}  // namespace bg
