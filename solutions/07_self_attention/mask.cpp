// Lesson 07, exercise 2: masked_fill and the causal mask.
#include <array>
#include <limits>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor masked_fill(const Tensor& x, const Tensor& mask, float value) {
  const Shape& xs = x.shape();
  const Shape& ms = mask.shape();
  if (!broadcasts_to(ms, xs)) {
    throw Error("masked_fill: mask of shape " + shape_str(ms) +
                " does not broadcast to the input's shape " + shape_str(xs));
  }
  const float* mv = mask.data().data();
  std::vector<float> y = copy_buffer(x.data());
  std::vector<uint8_t> filled(y.size());  // saved for the backward pass
  // The broadcast walk (bg/shape.h): element first + j of x reads mask[at + j * step].
  for_each_broadcast_row(xs, std::array<Shape, 1>{broadcast_strides(ms, xs)},
                         [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                           for (int64_t j = 0; j < length; ++j) {
                             const auto e = static_cast<size_t>(first + j);
                             filled[e] = mv[at[0] + j * step[0]] != 0.0f;
                             if (filled[e]) y[e] = value;
                           }
                         });
  return make_result(
      std::move(y), xs, {x},
      [filled = std::move(filled)](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (size_t e = 0; e < filled.size(); ++e)
          if (!filled[e]) gx[e] += out.grad[e];
      },
      "masked_fill");
}

Tensor causal_mask(const Tensor& scores) {
  const Shape& s = scores.shape();
  if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2]) {
    throw Error("causal_mask: scores must be (..., T, T), got shape " + shape_str(s));
  }
  const int64_t T = s.back();
  const int64_t batches = T == 0 ? 0 : scores.numel() / (T * T);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> y = copy_buffer(scores.data());
  // (batches, T, T): row t is query t; keys j > t are the future.
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = t + 1; j < T; ++j) y[static_cast<size_t>((b * T + t) * T + j)] = -inf;
  return make_result(
      std::move(y), s, {scores},
      [batches, T](const Node& out) {
        float* gx = grad_buffer(out.parents[0].node()).data();
        const float* g = out.grad.data();
        for (int64_t b = 0; b < batches; ++b)
          for (int64_t t = 0; t < T; ++t)
            for (int64_t j = 0; j <= t; ++j) gx[(b * T + t) * T + j] += g[(b * T + t) * T + j];
      },
      "causal_mask");
}

}  // namespace bg
