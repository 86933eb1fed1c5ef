// Lesson 04, exercise 1: transpose two dimensions (copying into the new order).
#include <utility>

#include "bg/autograd.h"
#include "bg/linalg.h"
#include "bg/storage.h"

namespace bg {

namespace {

// Copies x (shape `in`) into y so that y is x with dims d0 and d1 swapped. Applying the
// same permutation again undoes it, which is exactly the backward pass.
void permute_copy(const float* x, float* y, const Shape& in, size_t d0, size_t d1,
                  bool accumulate) {
  Shape out = in;
  std::swap(out[d0], out[d1]);
  Shape in_strides = contiguous_strides(in);
  std::swap(in_strides[d0], in_strides[d1]);  // stride in x of each output dim
  const int64_t n = numel(out);
  const size_t nd = out.size();
  Shape index(nd, 0);
  int64_t src = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (accumulate) {
      y[i] += x[src];
    } else {
      y[i] = x[src];
    }
    for (size_t d = nd; d-- > 0;) {
      src += in_strides[d];
      if (++index[d] < out[d]) break;
      src -= in_strides[d] * out[d];
      index[d] = 0;
    }
  }
}

}  // namespace

Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1) {
  const auto d0 = static_cast<size_t>(normalize_dim(dim0, a.shape()));
  const auto d1 = static_cast<size_t>(normalize_dim(dim1, a.shape()));
  Shape out_shape = a.shape();
  std::swap(out_shape[d0], out_shape[d1]);
  std::vector<float> y = take_buffer(static_cast<size_t>(a.numel()));
  permute_copy(a.data().data(), y.data(), a.shape(), d0, d1, false);
  return make_result(
      std::move(y), out_shape, {a},
      [d0, d1](const Node& out) {
        Node& in = out.parents[0].node();
        permute_copy(out.grad.data(), grad_buffer(in).data(), out.shape, d0, d1, true);
      },
      "transpose");
}

}  // namespace bg
