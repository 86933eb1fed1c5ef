// Lesson 03, exercise 5: elementwise functions with backward.
// Read lessons/03_operations/README.md#exercise-5. You may add helpers in an anonymous
// namespace above the functions (one template helper can serve all six ops).
//
// Each op: y has a's shape, y[i] = f(x[i]); the result records a graph through make_result
// (bg/autograd.h), named after the op ("exp", "log", ...). Backward: ADD dL/dx into the
// input's grad_buffer, from the upstream gradient g = o.grad. README section 4 gives
// each f' and explains why it may be cheaper to write it from the output y (o.data) than
// from the input x (o.parents[0].node().data). The conventions below are tested.
#include <cmath>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// y = eˣ.
Tensor exp([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "exp"); }

// y = ln x. ln 0 = -inf and ln of a negative number = NaN, as in C++.
Tensor log([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "log"); }

// y = tanh x.
Tensor tanh([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "tanh"); }

// y = max(x, 0). At the kink x = 0 the derivative is 0, as in PyTorch (README section 4).
Tensor relu([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "relu"); }

// y = √x.
Tensor sqrt([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "sqrt"); }

// y = xᵖ. For p = 0 the derivative is 0 everywhere, also at x = 0, where the general
// formula gives NaN (README section 4; PyTorch gives 0 too).
Tensor pow([[maybe_unused]] const Tensor& a, [[maybe_unused]] float exponent) {
  bg::not_implemented(3, 5, "pow");
}

}  // namespace bg
