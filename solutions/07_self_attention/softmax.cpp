// Lesson 07, exercise 1: softmax along one dimension, with its backward.
//
// Softmax along dimension d of a contiguous tensor: view it as (outer, n, inner) where n is
// the size of d (split_at in bg/shape.h). Element (o, j, i) sits at (o * n + j) * inner + i; one
// "slice" is the n elements with the same (o, i).
#include <cmath>
#include <limits>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor softmax(const Tensor& x, int64_t dim) {
  const Shape& shape = x.shape();
  if (shape.empty()) throw Error("softmax of a scalar (shape []): it needs a dimension");
  const DimSplit s = split_at(shape, dim);
  const int64_t outer = s.outer, n = s.n, inner = s.inner;

  const float* in = x.data().data();
  std::vector<float> y = take_buffer(static_cast<size_t>(x.numel()));
  // (outer, n, inner): each slice is n values at stride `inner`.
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * n * inner + i;
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < n; ++j) m = std::max(m, in[base + j * inner]);
      // An all -inf slice gives m = -inf and exp(-inf - -inf) = NaN: NaN out, as PyTorch.
      float s = 0.0f;
      for (int64_t j = 0; j < n; ++j) {
        const float e = std::exp(in[base + j * inner] - m);
        y[static_cast<size_t>(base + j * inner)] = e;
        s += e;
      }
      const float inv = 1.0f / s;
      for (int64_t j = 0; j < n; ++j) y[static_cast<size_t>(base + j * inner)] *= inv;
    }
  }
  return make_result(
      std::move(y), shape, {x},
      [outer, n, inner](const Node& out) {
        // dx_j = y_j * (g_j - sum_k g_k y_k), per slice
        const float* yv = out.data.data();
        const float* g = out.grad.data();
        float* gx = grad_buffer(out.parents[0].node()).data();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const int64_t base = o * n * inner + i;
            float dot = 0.0f;
            for (int64_t j = 0; j < n; ++j) dot += g[base + j * inner] * yv[base + j * inner];
            for (int64_t j = 0; j < n; ++j) {
              const int64_t e = base + j * inner;
              gx[e] += yv[e] * (g[e] - dot);
            }
          }
        }
      },
      "softmax");
}

}  // namespace bg
