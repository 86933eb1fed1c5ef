// Lesson 03, exercise 4: add, sub, mul, div with broadcasting and their backward passes.
//
// out = a ∘ b where a and b were broadcast to out's shape. Each backward computes the
// gradient for the broadcast operand (shape of out) and sums it back to the operand's
// own shape with sum_to_shape.
#include "bg/autograd.h"
#include "bg/ops.h"
#include "bg/storage.h"

namespace bg {

namespace {

// g (out's shape) ∘ t, broadcast — a temporary of out's shape.
Tensor combine(const Node& out, const Tensor& t, BinaryOp op) {
  return broadcast_binary_forward(Tensor(out.grad, out.shape), t, op);
}

void send(const Tensor& grad_full, const Tensor& input) {
  if (!input.requires_grad()) return;
  sum_to_shape(grad_full.data(), grad_full.shape(), input.shape(), grad_buffer(input.node()));
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::add);
  return make_result(
      copy_buffer(out.data()), out.shape(), {a, b},
      [](const Node& o) {
        const Tensor g(o.grad, o.shape);
        send(g, o.parents[0]);  // d(a+b)/da = 1
        send(g, o.parents[1]);  // d(a+b)/db = 1
      },
      "add");
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::sub);
  return make_result(
      copy_buffer(out.data()), out.shape(), {a, b},
      [](const Node& o) {
        const Tensor g(o.grad, o.shape);
        send(g, o.parents[0]);       // d(a-b)/da = 1
        send(neg(g), o.parents[1]);  // d(a-b)/db = -1
      },
      "sub");
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::mul);
  return make_result(
      copy_buffer(out.data()), out.shape(), {a, b},
      [](const Node& o) {
        const Tensor& a = o.parents[0];
        const Tensor& b = o.parents[1];
        if (a.requires_grad()) send(combine(o, b, BinaryOp::mul), a);  // d(ab)/da = b
        if (b.requires_grad()) send(combine(o, a, BinaryOp::mul), b);  // d(ab)/db = a
      },
      "mul");
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = broadcast_binary_forward(a, b, BinaryOp::div);
  return make_result(
      copy_buffer(out.data()), out.shape(), {a, b},
      [](const Node& o) {
        const Tensor& a = o.parents[0];
        const Tensor& b = o.parents[1];
        if (a.requires_grad()) send(combine(o, b, BinaryOp::div), a);  // d(a/b)/da = 1/b
        if (b.requires_grad()) {
          // d(a/b)/db = -a/b² = -out/b
          const Tensor g_out = broadcast_binary_forward(Tensor(o.grad, o.shape),
                                                        Tensor(o.data, o.shape), BinaryOp::mul);
          send(neg(broadcast_binary_forward(g_out, b, BinaryOp::div)), b);
        }
      },
      "div");
}

}  // namespace bg
