// Lesson 04, exercise 1: transpose two dimensions (copying into the new order).
#include <algorithm>
#include <utility>

#include "bg/autograd.h"
#include "bg/kernels/storage.h"
#include "bg/linalg.h"

namespace bg {

namespace {

// Copies x (shape `in`) into y so that y is x with dims d0 < d1 swapped. Applying the
// same permutation again undoes it, which is exactly the backward pass.
//
// Around the two swapped dims the shape reads (outer, n0, mid, n1, inner); the copy walks
// the output (outer, n1, mid, n0, inner) in order and reads each run of `inner` contiguous
// values from where it sits in x. For the course's head split, transpose(x, 1, 2) of
// (B, T, nh, hs), a run is one head's hs values — a block copy, not one value at a time.
void permute_copy(const float* x, float* y, const Shape& in, size_t d0, size_t d1,
                  bool accumulate) {
  if (d0 == d1) {  // nothing moves
    const int64_t n = numel(in);
    for (int64_t i = 0; i < n; ++i) y[i] = accumulate ? y[i] + x[i] : x[i];
    return;
  }
  int64_t outer = 1, mid = 1, inner = 1;
  for (size_t d = 0; d < d0; ++d) outer *= in[d];
  for (size_t d = d0 + 1; d < d1; ++d) mid *= in[d];
  for (size_t d = d1 + 1; d < in.size(); ++d) inner *= in[d];
  const int64_t n0 = in[d0], n1 = in[d1];
  // x's strides of the four walked dims: j1 (n1), m (mid), j0 (n0), and o (outer)
  const int64_t s1 = inner, sm = n1 * inner, s0 = mid * n1 * inner, so = n0 * s0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j1 = 0; j1 < n1; ++j1)
      for (int64_t m = 0; m < mid; ++m)
        for (int64_t j0 = 0; j0 < n0; ++j0) {
          const float* src = x + o * so + j0 * s0 + m * sm + j1 * s1;
          if (accumulate) {
            for (int64_t i = 0; i < inner; ++i) y[i] += src[i];
          } else {
            for (int64_t i = 0; i < inner; ++i) y[i] = src[i];
          }
          y += inner;
        }
}

}  // namespace

Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1) {
  // swapping d0 and d1 is swapping min and max of them
  const auto first = static_cast<size_t>(normalize_dim(dim0, a.shape()));
  const auto second = static_cast<size_t>(normalize_dim(dim1, a.shape()));
  const size_t d0 = std::min(first, second), d1 = std::max(first, second);
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
