// Lesson 03, exercise 4: add, sub, mul, div with broadcasting and their backward passes.
//
// out = a ∘ b where a and b were broadcast to out's shape. Each backward computes the
// gradient for the broadcast operand (shape of out) and sums it back to the operand's
// own shape with sum_to_shape.
#include <array>
#include <utility>

#include "bg/autograd.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

namespace {

// The values of `t`, made by broadcast_binary_forward just now: moved out when nothing else
// holds the tensor (always, with this lesson's broadcast_binary_forward), so that the
// result's buffer is the forward's buffer and no op copies its output twice.
std::vector<float> take_values(Tensor&& t) {
  if (t.node_ptr().use_count() == 1) return std::move(t.node().data);
  return copy_buffer(t.data());
}

// Sums grad_full (out's shape) into the gradient of `input` (its own shape).
void send(std::span<const float> grad_full, const Shape& shape, const Tensor& input) {
  if (!input.requires_grad()) return;
  sum_to_shape(grad_full, shape, input.shape(), grad_buffer(input.node()));
}

// A temporary of out's shape, from the buffer cache: tmp[i] = f(i, t[it]) where t[it] is the
// element of t (broadcast to out's shape) that position i reads. The caller gives it back.
template <class F>
std::vector<float> broadcast_temp(const Node& out, const Tensor& t, F f) {
  std::vector<float> tmp = take_buffer(out.grad.size());
  const float* pt = t.data().data();
  for_each_broadcast_row(out.shape, std::array<Shape, 1>{broadcast_strides(t.shape(), out.shape)},
                         [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                           for (int64_t j = 0; j < length; ++j)
                             tmp[first + j] = f(first + j, pt[at[0] + j * step[0]]);
                         });
  return tmp;
}

// send(f(...)) for a temporary made by broadcast_temp, which then goes back to the cache.
template <class F>
void send_temp(const Node& out, const Tensor& t, const Tensor& input, F f) {
  std::vector<float> tmp = broadcast_temp(out, t, f);
  send(tmp, out.shape, input);
  give_buffer(std::move(tmp));
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::add);
  Shape shape = out.shape();
  return make_result(
      take_values(std::move(out)), std::move(shape), {a, b},
      [](const Node& o) {
        send(o.grad, o.shape, o.parents[0]);  // d(a+b)/da = 1
        send(o.grad, o.shape, o.parents[1]);  // d(a+b)/db = 1
      },
      "add");
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::sub);
  Shape shape = out.shape();
  return make_result(
      take_values(std::move(out)), std::move(shape), {a, b},
      [](const Node& o) {
        const Tensor& b = o.parents[1];
        send(o.grad, o.shape, o.parents[0]);  // d(a-b)/da = 1
        if (b.requires_grad()) {              // d(a-b)/db = -1
          std::vector<float> neg_g = take_buffer(o.grad.size());
          for (size_t i = 0; i < neg_g.size(); ++i) neg_g[i] = -o.grad[i];
          send(neg_g, o.shape, b);
          give_buffer(std::move(neg_g));
        }
      },
      "sub");
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::mul);
  Shape shape = out.shape();
  return make_result(
      take_values(std::move(out)), std::move(shape), {a, b},
      [](const Node& o) {
        const Tensor& a = o.parents[0];
        const Tensor& b = o.parents[1];
        const float* g = o.grad.data();
        // d(ab)/da = b, d(ab)/db = a: g * (the other operand, broadcast)
        const auto g_times = [g](int64_t i, float v) { return g[i] * v; };
        if (a.requires_grad()) send_temp(o, b, a, g_times);
        if (b.requires_grad()) send_temp(o, a, b, g_times);
      },
      "mul");
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::div);
  Shape shape = out.shape();
  return make_result(
      take_values(std::move(out)), std::move(shape), {a, b},
      [](const Node& o) {
        const Tensor& a = o.parents[0];
        const Tensor& b = o.parents[1];
        const float* g = o.grad.data();
        const float* y = o.data.data();
        // d(a/b)/da = 1/b
        if (a.requires_grad()) send_temp(o, b, a, [g](int64_t i, float bv) { return g[i] / bv; });
        // d(a/b)/db = -a/b² = -out/b
        if (b.requires_grad())
          send_temp(o, b, b, [g, y](int64_t i, float bv) { return -((g[i] * y[i]) / bv); });
      },
      "div");
}

}  // namespace bg
