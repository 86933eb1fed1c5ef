// Lesson 03, exercise 5: elementwise functions with backward.
// Read lessons/03_operations/README.md#exercise-5. You may add helpers in an anonymous
// namespace above the functions (one template helper can serve all six ops).
//
// Each op: y[i] = f(x[i]) in one loop; make_result(y, a.shape(), {a}, backward_fn, "name").
// The backward adds g[i] * f'(x[i]) into grad_buffer(o.parents[0].node()), where g = o.grad.
// Write f' from the input x (o.parents[0].node().data) or from the output y (o.data),
// whichever is cheaper — e.g. exp' is y itself, no second exp needed.
#include <cmath>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// y = eˣ.               dy/dx = eˣ = y
Tensor exp([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "exp"); }

// y = ln x.             dy/dx = 1/x   (ln 0 = -inf and ln of a negative number = NaN, as in C++)
Tensor log([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "log"); }

// y = tanh x.           dy/dx = 1 - tanh²x = 1 - y²
Tensor tanh([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "tanh"); }

// y = max(x, 0).        dy/dx = 1 where x > 0, else 0 (also at x = 0, like PyTorch)
Tensor relu([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "relu"); }

// y = √x.               dy/dx = 1/(2√x) = 0.5/y
Tensor sqrt([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 5, "sqrt"); }

// y = xᵖ.               dy/dx = p·xᵖ⁻¹. For p = 0 the derivative is 0 everywhere — also at
// x = 0, where p·xᵖ⁻¹ would be 0·∞ = NaN (PyTorch gives 0 too).
Tensor pow([[maybe_unused]] const Tensor& a, [[maybe_unused]] float exponent) {
  bg::not_implemented(3, 5, "pow");
}

}  // namespace bg
