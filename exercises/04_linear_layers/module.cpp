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
// children() lists (name, Module*) pairs. Recursion is the natural first version; an
// explicit stack of (module, prefix) pairs is the robust one (push children in reverse so
// they come off the stack in order).
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

// forward: y = x · Wᵀ + b as ONE op (named "linear"), for x of shape (..., in) -> (..., out).
//   * bg::Error showing x's shape and in_features when x's last dim is not in_features
//     (or x is a scalar).
//   * Treat x as a matrix (rows, in) with rows = numel / in — it is contiguous, so no copy.
//   * Forward: start every output row from the bias (or 0), then matmul_nt adds x · Wᵀ
//     (W is stored (out, in): exactly the "b stored (m, k)" of matmul_nt).
//   * Backward, g = out.grad viewed as (rows, out):
//       dx (rows, in) += g · W        (matmul_nn)
//       dW (out, in)  += gᵀ · x       (matmul_tn)
//       db (out)      += the sum of g over its rows
//     only for the inputs that require grad. Pass {x, weight, bias} (bias only if defined)
//     as the inputs to make_result; in the backward they are out.parents[0], [1], [2].
//     Capture the sizes, nothing else.
Tensor Linear::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(4, 5, "Linear::forward");
}

// ---- Exercise 6: SGD::step, as torch.optim.SGD (dampening 0, no Nesterov)
// For every parameter p in params_ that HAS a gradient (node().grad not empty — a
// parameter without one is skipped and stays exactly as it is):
//   g = grad + weight_decay · p
//   if momentum != 0:  v = g on the first step this parameter has a gradient,
//                      v = momentum · v + g afterwards;      then g = v
//   p -= lr · g
// velocity_ holds one buffer per parameter (size it to params_ first); an empty buffer
// means "no step yet". Update node().data in place: no graph, no new tensors.
void SGD::step() { bg::not_implemented(4, 6, "SGD::step"); }

}  // namespace bg
