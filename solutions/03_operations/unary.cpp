// Lesson 03, exercise 5: elementwise functions. Each forward is one loop; each backward
// multiplies the upstream gradient by the local derivative, written from the input x or
// from the output y, whichever is cheaper.
#include <cmath>

#include "bg/autograd.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

namespace {

// out = f(a) elementwise; backward adds g * dydx(x, y) into a's gradient.
template <class F, class D>
Tensor unary(const Tensor& a, const char* name, F f, D dydx) {
  const auto x = a.data();
  std::vector<float> y = take_buffer(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
  return make_result(
      std::move(y), a.shape(), {a},
      [dydx](const Node& o) {
        Node& in = o.parents[0].node();
        auto gx = grad_buffer(in);
        for (size_t i = 0; i < gx.size(); ++i) gx[i] += o.grad[i] * dydx(in.data[i], o.data[i]);
      },
      name);
}

}  // namespace

Tensor exp(const Tensor& a) {
  return unary(
      a, "exp", [](float x) { return std::exp(x); },
      [](float, float y) { return y; });  // (eˣ)' = eˣ
}

Tensor log(const Tensor& a) {
  return unary(
      a, "log", [](float x) { return std::log(x); },
      [](float x, float) { return 1.0f / x; });  // (ln x)' = 1/x
}

Tensor tanh(const Tensor& a) {
  return unary(
      a, "tanh", [](float x) { return std::tanh(x); },
      [](float, float y) { return 1.0f - y * y; });  // tanh' = 1 - tanh²
}

Tensor relu(const Tensor& a) {
  return unary(
      a, "relu", [](float x) { return x > 0.0f ? x : 0.0f; },
      [](float x, float) { return x > 0.0f ? 1.0f : 0.0f; });
}

Tensor sqrt(const Tensor& a) {
  return unary(
      a, "sqrt", [](float x) { return std::sqrt(x); },
      [](float, float y) { return 0.5f / y; });  // (√x)' = 1 / (2√x)
}

Tensor pow(const Tensor& a, float p) {
  return unary(
      a, "pow", [p](float x) { return std::pow(x, p); },
      [p](float x, float) {
        // (xᵖ)' = p·xᵖ⁻¹. For p = 0 the function is constant: its derivative is 0
        // everywhere, also at x = 0 where 0·x⁻¹ would give NaN (PyTorch agrees).
        return p == 0.0f ? 0.0f : p * std::pow(x, p - 1.0f);
      });
}

}  // namespace bg
