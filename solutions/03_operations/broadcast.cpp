// Lesson 03, exercises 1–3: broadcasting shapes, reducing broadcast gradients, and the
// forward loop every broadcasting binary op shares.
#include <algorithm>

#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

namespace {

// `shape` with leading 1s so that it has `ndim` dimensions.
Shape pad_left(const Shape& shape, size_t ndim) {
  Shape padded(ndim - shape.size(), 1);
  padded.insert(padded.end(), shape.begin(), shape.end());
  return padded;
}

// Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
// a stretched dimension has stride 0, so every position along it reads the same element.
Shape broadcast_strides(const Shape& from, const Shape& to) {
  const Shape padded = pad_left(from, to.size());
  Shape strides = contiguous_strides(padded);
  for (size_t d = 0; d < to.size(); ++d) {
    if (padded[d] == 1 && to[d] != 1) strides[d] = 0;
  }
  return strides;
}

}  // namespace

// ---- exercise 1
Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t nd = std::max(a.size(), b.size());
  const Shape pa = pad_left(a, nd);
  const Shape pb = pad_left(b, nd);
  Shape out(nd);
  for (size_t d = 0; d < nd; ++d) {
    if (pa[d] == pb[d] || pb[d] == 1) {
      out[d] = pa[d];
    } else if (pa[d] == 1) {
      out[d] = pb[d];
    } else {
      throw Error("shapes " + shape_str(a) + " and " + shape_str(b) +
                  " cannot be broadcast (dimension " + std::to_string(d) + ": " +
                  std::to_string(pa[d]) + " vs " + std::to_string(pb[d]) + ")");
    }
  }
  return out;
}

// ---- exercise 2
void sum_to_shape(std::span<const float> grad, const Shape& from, const Shape& to,
                  std::span<float> out) {
  if (to.size() > from.size() || broadcast_shapes(to, from) != from) {
    throw Error("sum_to_shape: shape " + shape_str(to) + " does not broadcast to " +
                shape_str(from));
  }
  if (static_cast<int64_t>(grad.size()) != numel(from) ||
      static_cast<int64_t>(out.size()) != numel(to)) {
    throw Error("sum_to_shape: buffer sizes do not match shapes " + shape_str(from) + " -> " +
                shape_str(to));
  }
  const Shape strides = broadcast_strides(to, from);  // where each grad element lands in out
  const size_t nd = from.size();
  Shape index(nd, 0);
  int64_t pos = 0;  // position in out of the current index
  for (float g : grad) {
    out[static_cast<size_t>(pos)] += g;
    // Advance the multi-index like an odometer, keeping pos in step.
    for (size_t d = nd; d-- > 0;) {
      pos += strides[d];
      if (++index[d] < from[d]) break;
      pos -= strides[d] * from[d];
      index[d] = 0;
    }
  }
}

// ---- exercise 3
Tensor broadcast_binary_forward(const Tensor& a, const Tensor& b, BinaryOp op) {
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape());
  const int64_t n = numel(out_shape);
  std::vector<float> out(static_cast<size_t>(n));
  const Shape sa = broadcast_strides(a.shape(), out_shape);
  const Shape sb = broadcast_strides(b.shape(), out_shape);
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  auto apply = [op](float x, float y) {
    switch (op) {
      case BinaryOp::add: return x + y;
      case BinaryOp::sub: return x - y;
      case BinaryOp::mul: return x * y;
      case BinaryOp::div: return x / y;
    }
    return 0.0f;
  };
  const size_t nd = out_shape.size();
  Shape index(nd, 0);
  int64_t ia = 0;
  int64_t ib = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)] = apply(pa[ia], pb[ib]);
    for (size_t d = nd; d-- > 0;) {
      ia += sa[d];
      ib += sb[d];
      if (++index[d] < out_shape[d]) break;
      ia -= sa[d] * out_shape[d];
      ib -= sb[d] * out_shape[d];
      index[d] = 0;
    }
  }
  return Tensor(std::move(out), out_shape);
}

}  // namespace bg
