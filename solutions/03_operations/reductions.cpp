// Lesson 03, exercise 6: sum, mean and max over one dimension or over everything.
//
// Reducing dimension d of a contiguous tensor: view it as (outer, n, inner) where n is the
// size of d, outer the product of the sizes before it and inner the product after it
// (split_at in bg/shape.h). Element (o, j, i) sits at (o * n + j) * inner + i.
#include <limits>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

namespace {

// The shape left when dimension s.dim is reduced: size 1 there, or no dimension at all.
Shape reduced_shape(const Shape& shape, const DimSplit& s, bool keepdim) {
  Shape out = shape;
  if (keepdim) {
    out[static_cast<size_t>(s.dim)] = 1;
  } else {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(s.dim));
  }
  return out;
}

// sum over dim, times `scale` (1 for sum, 1/n for mean). The gradient of every input
// element is the gradient of the output it was summed into, times scale.
Tensor scaled_sum(const Tensor& a, int64_t dim, bool keepdim, bool average, const char* name) {
  const DimSplit s = split_at(a.shape(), dim);
  const float scale = average ? 1.0f / static_cast<float>(s.n) : 1.0f;
  const auto x = a.data();
  std::vector<float> y = take_zeros(static_cast<size_t>(s.outer * s.inner));
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t j = 0; j < s.n; ++j)
      for (int64_t i = 0; i < s.inner; ++i)
        y[static_cast<size_t>(o * s.inner + i)] +=
            x[static_cast<size_t>((o * s.n + j) * s.inner + i)];
  for (float& v : y) v *= scale;
  return make_result(
      std::move(y), reduced_shape(a.shape(), s, keepdim), {a},
      [s, scale](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (int64_t o = 0; o < s.outer; ++o)
          for (int64_t j = 0; j < s.n; ++j)
            for (int64_t i = 0; i < s.inner; ++i)
              gx[static_cast<size_t>((o * s.n + j) * s.inner + i)] +=
                  scale * out.grad[static_cast<size_t>(o * s.inner + i)];
      },
      name);
}

Tensor flat(const Tensor& a) { return reshape(a, Shape{a.numel()}); }

}  // namespace

Tensor sum(const Tensor& a, int64_t dim, bool keepdim) {
  return scaled_sum(a, dim, keepdim, false, "sum");
}

Tensor mean(const Tensor& a, int64_t dim, bool keepdim) {
  return scaled_sum(a, dim, keepdim, true, "mean");
}

Tensor sum(const Tensor& a) { return reshape(sum(flat(a), 0), Shape{}); }
Tensor mean(const Tensor& a) { return reshape(mean(flat(a), 0), Shape{}); }

Tensor max(const Tensor& a, int64_t dim, bool keepdim) {
  const DimSplit s = split_at(a.shape(), dim);
  if (s.n == 0) throw Error("max over an empty dimension of shape " + shape_str(a.shape()));
  const auto x = a.data();
  std::vector<float> y = take_buffer(static_cast<size_t>(s.outer * s.inner));
  std::vector<int64_t> arg(y.size());  // where each maximum came from (first one wins)
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      int64_t best = (o * s.n) * s.inner + i;
      for (int64_t j = 1; j < s.n; ++j) {
        const int64_t at = (o * s.n + j) * s.inner + i;
        if (x[static_cast<size_t>(at)] > x[static_cast<size_t>(best)]) best = at;
      }
      y[static_cast<size_t>(o * s.inner + i)] = x[static_cast<size_t>(best)];
      arg[static_cast<size_t>(o * s.inner + i)] = best;
    }
  }
  return make_result(
      std::move(y), reduced_shape(a.shape(), s, keepdim), {a},
      [arg = std::move(arg)](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (size_t k = 0; k < arg.size(); ++k) gx[static_cast<size_t>(arg[k])] += out.grad[k];
      },
      "max");
}

Tensor max(const Tensor& a) { return reshape(max(flat(a), 0), Shape{}); }

}  // namespace bg
