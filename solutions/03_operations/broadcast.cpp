// Lesson 03, exercises 1–3: broadcasting shapes, reducing broadcast gradients, and the
// forward loop every broadcasting binary op shares.
#include <algorithm>

#include "bg/error.h"
#include "bg/ops.h"
#include "bg/storage.h"

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

// Whether a tensor of shape `to` can be broadcast to exactly `from`.
bool broadcasts_to(const Shape& to, const Shape& from) {
  if (to.size() > from.size()) return false;
  const Shape padded = pad_left(to, from.size());
  for (size_t d = 0; d < from.size(); ++d) {
    if (padded[d] != from[d] && padded[d] != 1) return false;
  }
  return true;
}

// The strided odometer over `shape`: out[i] = f(pa[ia], pb[ib]) for every position i in
// row-major order, where ia and ib move by their own strides (0 along a stretched dim).
// The last dimension is a plain inner loop; the odometer only turns the outer ones.
template <class F>
void broadcast_loop(const float* pa, const Shape& sa, const float* pb, const Shape& sb,
                    const Shape& shape, float* out, F f) {
  const size_t nd = shape.size();
  if (nd == 0) {  // scalar op scalar
    out[0] = f(pa[0], pb[0]);
    return;
  }
  const int64_t n = numel(shape);
  const int64_t last = shape[nd - 1];
  const int64_t sa_last = sa[nd - 1];  // 1, or 0 when a is stretched along the last dim
  const int64_t sb_last = sb[nd - 1];
  Shape index(nd, 0);  // the multi-index of the start of the current row
  int64_t ia = 0;      // where a's element for `index` sits in a's storage
  int64_t ib = 0;
  for (int64_t row = 0; row < n; row += last) {
    for (int64_t j = 0; j < last; ++j) out[row + j] = f(pa[ia + j * sa_last], pb[ib + j * sb_last]);
    // Turn the odometer one step over the dimensions before the last.
    for (size_t d = nd - 1; d-- > 0;) {
      ia += sa[d];
      ib += sb[d];
      if (++index[d] < shape[d]) break;
      ia -= sa[d] * shape[d];  // this wheel wrapped: back to its start, carry to the next
      ib -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
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
                  " cannot be broadcast (size " + std::to_string(pa[d]) + " vs " +
                  std::to_string(pb[d]) + " in dimension " +
                  std::to_string(static_cast<int64_t>(d) - static_cast<int64_t>(nd)) + ")");
    }
  }
  return out;
}

// ---- exercise 2
void sum_to_shape(std::span<const float> grad, const Shape& from, const Shape& to,
                  std::span<float> out) {
  if (!broadcasts_to(to, from)) {
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
    out[static_cast<size_t>(pos)] += g;  // ADD: several grad elements land on one out element
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
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  std::vector<float> out = take_buffer(static_cast<size_t>(numel(shape)));
  if (out.empty()) return Tensor(std::move(out), shape);
  const Shape sa = broadcast_strides(a.shape(), shape);
  const Shape sb = broadcast_strides(b.shape(), shape);
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  // One switch outside the loop, so the loop body is a single inlined operation.
  switch (op) {
    case BinaryOp::add:
      broadcast_loop(pa, sa, pb, sb, shape, out.data(), [](float x, float y) { return x + y; });
      break;
    case BinaryOp::sub:
      broadcast_loop(pa, sa, pb, sb, shape, out.data(), [](float x, float y) { return x - y; });
      break;
    case BinaryOp::mul:
      broadcast_loop(pa, sa, pb, sb, shape, out.data(), [](float x, float y) { return x * y; });
      break;
    case BinaryOp::div:
      broadcast_loop(pa, sa, pb, sb, shape, out.data(), [](float x, float y) { return x / y; });
      break;
  }
  return Tensor(std::move(out), shape);
}

}  // namespace bg
