// Lesson 03, exercises 1–3: broadcasting shapes, reducing broadcast gradients, and the
// forward loop every broadcasting binary op shares.
#include <algorithm>
#include <array>

#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

namespace {

// `shape` with leading 1s so that it has `ndim` dimensions.
Shape pad_left(const Shape& shape, size_t ndim) {
  Shape padded(ndim - shape.size(), 1);
  padded.insert(padded.end(), shape.begin(), shape.end());
  return padded;
}

// out[i] = f(pa[ia], pb[ib]) for every position i of `shape`, where ia and ib are the
// elements of a and b that position reads: the engine's broadcast walk (bg/shape.h) turns
// the odometer once per row, and the last dimension is a plain inner loop (stride 1, or 0
// when an operand is stretched along it) that the compiler can vectorise.
template <class F>
void broadcast_loop(const float* pa, const float* pb, const Shape& shape,
                    const std::array<Shape, 2>& strides, float* out, F f) {
  for_each_broadcast_row(shape, strides,
                         [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                           const float* ra = pa + at[0];
                           const float* rb = pb + at[1];
                           float* ro = out + first;
                           for (int64_t j = 0; j < length; ++j)
                             ro[j] = f(ra[j * step[0]], rb[j * step[1]]);
                         });
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
  // Walk grad in order; position i of `from` reads element at[0] + j * step[0] of `to`, so
  // that is where its gradient goes. ADD: several grad elements land on one out element.
  const float* g = grad.data();
  float* o = out.data();
  for_each_broadcast_row(from, std::array<Shape, 1>{broadcast_strides(to, from)},
                         [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                           for (int64_t j = 0; j < length; ++j)
                             o[at[0] + j * step[0]] += g[first + j];
                         });
}

// ---- exercise 3
Tensor broadcast_binary_forward(const Tensor& a, const Tensor& b, BinaryOp op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  std::vector<float> out = take_buffer(static_cast<size_t>(numel(shape)));
  if (out.empty()) return Tensor(std::move(out), shape);
  const std::array<Shape, 2> strides{broadcast_strides(a.shape(), shape),
                                     broadcast_strides(b.shape(), shape)};
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  // One switch outside the loop, so the loop body is a single inlined operation.
  switch (op) {
    case BinaryOp::add:
      broadcast_loop(pa, pb, shape, strides, out.data(), [](float x, float y) { return x + y; });
      break;
    case BinaryOp::sub:
      broadcast_loop(pa, pb, shape, strides, out.data(), [](float x, float y) { return x - y; });
      break;
    case BinaryOp::mul:
      broadcast_loop(pa, pb, shape, strides, out.data(), [](float x, float y) { return x * y; });
      break;
    case BinaryOp::div:
      broadcast_loop(pa, pb, shape, strides, out.data(), [](float x, float y) { return x / y; });
      break;
  }
  return Tensor(std::move(out), shape);
}

}  // namespace bg
