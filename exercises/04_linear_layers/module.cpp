// Lesson 04, exercises 4–6: parameter names, the Linear layer, SGD.
// Read lessons/04_linear_layers/README.md#exercise-4 (and 5, 6), then replace the stubs'
// bodies.
#include <cmath>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/linalg.h"
#include "bg/module.h"
#include "bg/optim.h"

namespace bg {

// ---- Exercise 4: named_parameters
// Every parameter of this module and of its children, as (name, tensor) pairs:
//   * depth first, in registration order;
//   * a module's own parameters (own_parameters()) come before its children's;
//   * a child's parameters are named "<child name>." + the name they have inside the child,
//     so a tree  model -> sa_heads -> heads -> 0 -> key (weight)  gives
//     "sa_heads.heads.0.key.weight" — exactly the keys of a PyTorch state_dict.
// children() lists (name, Module*) pairs; own_parameters() this module's own (name, tensor)
// pairs. README section 4 compares a recursive walk with one that keeps its own stack.
std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  bg::not_implemented(4, 4, "Module::named_parameters");
}

// ---- Exercise 5: Linear
// The constructor: store the sizes (the initialiser list below already does), throw
// bg::Error when a size is not positive, then draw the parameters as PyTorch does:
//   bound = 1 / sqrt(in_features)
//   weight: shape (out_features, in_features), every element gen.uniform(-bound, bound),
//           drawn in row-major order;
//   bias:   shape (out_features), drawn the same way AFTER the weight (only if with_bias).
// Store them with register_parameter("weight", ...) and register_parameter("bias", ...)
// (it switches requires_grad on and returns the tensor) into the members weight and bias.
// The order of the draws matters: the same seed must give the same layer everywhere.
Linear::Linear(int64_t in_features, int64_t out_features, [[maybe_unused]] bool with_bias,
               [[maybe_unused]] Generator& gen)
    : in_(in_features), out_(out_features) {
  bg::not_implemented(4, 5, "Linear::Linear");
}

// forward: y = x · Wᵀ + b as ONE op (named "linear"), for x of shape (..., in) -> (..., out)
// (README section 5).
//   * bg::Error showing x's shape and in_features when x's last dim is not in_features
//     (or x is a scalar).
//   * x is contiguous, so it already is a (rows, in) matrix with rows = numel / in; W is
//     stored (out, in), b is (out). No transposed copy of W is needed.
//   * Available: the kernels of exercise 2 (matmul_nn, matmul_nt, matmul_tn in
//     bg/linalg.h); each ADDS into its output.
//   * Backward: ADD the gradients of x, W and b (README section 5 derives them from
//     section 1) into their grad buffers, only for the inputs that require grad. The
//     result's parents are x, weight and bias (bias only if defined), in that order.
//     Capture the sizes, nothing else.
Tensor Linear::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(4, 5, "Linear::forward");
}

// ---- Exercise 6: SGD::step, as torch.optim.SGD (dampening 0, no Nesterov)
// The update is defined in README section 6 (weight decay folded into the gradient, then
// momentum). The contract the tests check against torch.optim.SGD (within 1e-6):
//   * only parameters that HAVE a gradient (node().grad not empty) are updated; one without
//     is skipped and stays exactly as it is — not even weight decay touches it;
//   * velocity_ holds one momentum buffer per parameter (size it to params_ first); an
//     empty buffer means "no step with a gradient yet", and README section 6 says how the
//     buffer starts on that first step. With momentum 0 no buffer is needed;
//   * update node().data in place: no graph, no new tensors; step() does not clear grads.
void SGD::step() { bg::not_implemented(4, 6, "SGD::step"); }

}  // namespace bg
