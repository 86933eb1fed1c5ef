// Lesson 06, exercise 1: narrow — a slice of one dimension, with its backward.
#include <algorithm>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"

namespace bg {

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  const Shape& shape = x.shape();
  // x viewed as (outer, size, inner); the result is (outer, length, inner).
  const DimSplit s = split_at(shape, dim);
  const auto d = static_cast<size_t>(s.dim);
  const int64_t outer = s.outer, size = s.n, inner = s.inner;
  const int64_t first = start < 0 ? start + size : start;
  if (length < 0 || first < 0 || first + length > size) {
    throw Error("narrow: start " + std::to_string(start) + ", length " + std::to_string(length) +
                " does not fit dimension " + std::to_string(d) + " (size " + std::to_string(size) +
                ") of shape " + shape_str(shape));
  }
  const int64_t chunk = length * inner;  // contiguous run copied per outer index
  const float* xs = x.data().data();
  std::vector<float> y = take_buffer(static_cast<size_t>(outer * chunk));
  for (int64_t o = 0; o < outer; ++o) {
    std::copy_n(xs + (o * size + first) * inner, chunk, y.data() + o * chunk);
  }
  Shape out_shape = shape;
  out_shape[d] = length;
  return make_result(
      std::move(y), std::move(out_shape), {x},
      [outer, size, inner, first, chunk](const Node& out) {
        float* gx = grad_buffer(out.parents[0].node()).data();  // (outer, size, inner)
        const float* g = out.grad.data();                       // (outer, length, inner)
        for (int64_t o = 0; o < outer; ++o) {
          float* dst = gx + (o * size + first) * inner;
          const float* src = g + o * chunk;
          for (int64_t k = 0; k < chunk; ++k) dst[k] += src[k];
        }
      },
      "narrow");
}

}  // namespace bg
