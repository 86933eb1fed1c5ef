// Lesson 07, exercise 2: masked_fill and the causal mask.
#include <limits>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/storage.h"

namespace bg {

namespace {

// For every element of a tensor of shape `to`, the flat index of the element of the
// broadcast tensor of shape `from` it reads (from has at most to's dims, aligned right).
std::vector<int64_t> broadcast_index(const Shape& from, const Shape& to) {
  const size_t nd = to.size();
  Shape padded(nd - from.size(), 1);
  padded.insert(padded.end(), from.begin(), from.end());
  const Shape strides = contiguous_strides(padded);
  std::vector<int64_t> index(static_cast<size_t>(numel(to)));
  std::vector<int64_t> counter(nd, 0);  // the multi-index of element e of `to`
  int64_t src = 0;
  for (size_t e = 0; e < index.size(); ++e) {
    index[e] = src;
    // Increment the counter like an odometer, keeping src in step.
    for (size_t k = nd; k-- > 0;) {
      if (++counter[k] < to[k]) {
        if (padded[k] != 1) src += strides[k];
        break;
      }
      if (padded[k] != 1) src -= (to[k] - 1) * strides[k];
      counter[k] = 0;
    }
  }
  return index;
}

}  // namespace

Tensor masked_fill(const Tensor& x, const Tensor& mask, float value) {
  const Shape& xs = x.shape();
  const Shape& ms = mask.shape();
  bool ok = ms.size() <= xs.size();
  for (size_t k = 0; ok && k < ms.size(); ++k) {
    const int64_t m = ms[ms.size() - 1 - k], s = xs[xs.size() - 1 - k];
    ok = m == s || m == 1;
  }
  if (!ok) {
    throw Error("masked_fill: mask of shape " + shape_str(ms) +
                " does not broadcast to the input's shape " + shape_str(xs));
  }
  const std::vector<int64_t> where = broadcast_index(ms, xs);
  const auto in = x.data();
  const auto mv = mask.data();
  std::vector<float> y = copy_buffer(in);
  std::vector<uint8_t> filled(y.size());  // saved for the backward pass
  for (size_t e = 0; e < y.size(); ++e) {
    filled[e] = mv[static_cast<size_t>(where[e])] != 0.0f;
    if (filled[e]) y[e] = value;
  }
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
