// Lesson 14, exercise 1: a gate per head, forward and backward side by side.
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/heads.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor gate_heads(const Tensor& x, const Tensor& gates) {
  if (gates.dim() != 1 || gates.numel() == 0 || x.dim() < 1 ||
      x.shape().back() % gates.numel() != 0) {
    throw Error(
        "gate_heads: gates must be (n_head) with n_head dividing the last dimension of x, "
        "got x " +
        shape_str(x.shape()) + " and gates " + shape_str(gates.shape()));
  }
  const int64_t C = x.shape().back(), nh = gates.numel(), hs = C / nh;
  const int64_t rows = x.numel() / C;  // x viewed as (rows, nh, hs)
  const float* xs = x.data().data();
  const float* gs = gates.data().data();
  std::vector<float> y = take_buffer(static_cast<size_t>(x.numel()));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t h = 0; h < nh; ++h)
      for (int64_t i = 0; i < hs; ++i) {
        const int64_t e = (r * nh + h) * hs + i;
        y[e] = gs[h] * xs[e];  // y = gate · x
      }
  return make_result(
      std::move(y), x.shape(), {x, gates},
      [rows, nh, hs](const Node& out) {
        const Tensor& x = out.parents[0];
        const Tensor& gates = out.parents[1];
        const float* g = out.grad.data();
        const float* xs = x.data().data();
        const float* gs = gates.data().data();
        float* dx = grad_or_null(x.node());
        float* dgates = grad_or_null(gates.node());
        std::vector<double> sums(static_cast<size_t>(nh), 0.0);  // dgates, summed in double
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t h = 0; h < nh; ++h)
            for (int64_t i = 0; i < hs; ++i) {
              const int64_t e = (r * nh + h) * hs + i;
              if (dx) dx[e] += gs[h] * g[e];                                      // dx = gate · g
              sums[static_cast<size_t>(h)] += static_cast<double>(g[e]) * xs[e];  // Σ g · x
            }
        if (dgates) {
          for (int64_t h = 0; h < nh; ++h)
            dgates[h] += static_cast<float>(sums[static_cast<size_t>(h)]);
        }
      },
      "gate_heads");
}

}  // namespace bg
