// Lesson 02 — autograd: topological order, the backward pass, gradient accumulation,
// no-grad mode and the finite-difference gradient checker.
//
// Fill in the functions below, one exercise at a time. Read lessons/02_autograd/README.md
// first; each exercise has its own section there and its own test command, e.g.
//     cmake --build build -j2 && ctest --test-dir build -L exercises -L lesson02 -R Ex1
// The contracts are in engine/include/bg/autograd.h and tensor.h (struct Node).
//
// You may add helper functions; put them in an anonymous namespace (namespace { ... }) so
// that this file defines exactly the same external functions as the solution.
#include <cmath>
#include <unordered_set>
#include <utility>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// ---- exercise 1: parents before children, without recursion ---------------------------------

// Every node reachable from `root` through `parents`, each exactly once, in an order where
// every node comes after all of its parents; root is last. parents[i] is a Tensor;
// parents[i].node() is its Node&. README exercise 1 names the method and its traps.
// Properties the tests check:
//   * "each exactly once": in a diamond (b and c both made from a, d from b and c) a is
//     listed once; in x * x, x is listed once;
//   * "after all of its parents", on chains and on the diamond;
//   * "no recursion": a chain of 100,000 ops is ordered on a thread with a 256 KB stack,
//     where a recursive walk overflows.
std::vector<Node*> topological_order([[maybe_unused]] Node& root) {
  bg::not_implemented(2, 1, "topological_order");
}

// ---- exercise 2: accumulation --------------------------------------------------------------

// The gradient storage of `node` as a span the backward functions ADD into.
//   * node.grad is empty until the first backward pass reaches the node: then allocate it,
//     numel zeros (node.data.size() of them).
//   * never clear or overwrite an existing gradient: a tensor used twice (x * x) gets two
//     contributions, and two backward passes add up, exactly like PyTorch.
//   * if node.grad exists with the wrong number of values, throw bg::Error (name node.op
//     and show node.shape).
std::span<float> grad_buffer([[maybe_unused]] Node& node) {
  bg::not_implemented(2, 2, "grad_buffer");
}

// ---- exercise 3: no-grad mode --------------------------------------------------------------

// RAII (README exercise 3). While a guard is alive, grad_enabled() is false. After it is
// destroyed, grad_enabled() is what it was before the guard was made — not simply true:
// an inner guard that ends inside an outer one must leave recording off. The member
// previous_ (bg/autograd.h) is there for you; set_grad_enabled switches recording.
// Replace both stubs at once: a destructor must not throw (a throwing one ends the program).
NoGradGuard::NoGradGuard() { bg::not_implemented(2, 3, "NoGradGuard::NoGradGuard"); }
NoGradGuard::~NoGradGuard() { bg::not_implemented(2, 3, "NoGradGuard::~NoGradGuard"); }

// ---- exercise 4: the backward pass ---------------------------------------------------------

// What t.backward(gradient) does (engine/src/tensor.cpp calls this with t's node); README
// exercise 4 explains each part. The contract:
//   * errors, each a bg::Error, checked before any gradient changes:
//        - root.requires_grad is false: nothing to differentiate (name root.op);
//        - gradient.shape() != root.shape: show BOTH shapes (shape_str);
//        - some node of the graph is graph_freed: a second backward through the same graph
//          (say "freed" and that the forward pass must be run again).
//   * afterwards, root's grad has gained `gradient` (added, not assigned), and, taking
//     `gradient` as dL/d(root), every node of the graph that requires grad has gained its
//     dL/d(node), summed over all paths. A node's backward_fn adds into its parents' grad
//     buffers; leaves have none. A node that no gradient reached still has a grad buffer
//     (zeros) when its backward_fn runs.
//   * the backward functions run with gradient recording off (exercise 3): they build no
//     graph. A test checks that.
//   * afterwards the graph is freed: every node whose backward_fn ran has
//     backward_fn == nullptr, no parents, and graph_freed == true.
//   * no recursion: a chain of 200,000 nodes runs on a thread with a 256 KB stack.
//   * memory safety: your order holds raw Node pointers, and dropping parents can destroy
//     nodes still ahead in it (README exercise 4; tools/sanitize.sh 02 catches it).
void run_backward([[maybe_unused]] Node& root, [[maybe_unused]] const Tensor& gradient) {
  bg::not_implemented(2, 4, "run_backward");
}

// ---- exercise 5: gradcheck -----------------------------------------------------------------

// Compare the analytic gradients of f with finite differences: the contract is in
// bg/autograd.h, the method and its error analysis in README exercise 5. What the tests pin:
//   * the caller's tensors and their gradients are left untouched (work on copies);
//   * the weights: w = 2u - 1 with u = rand(out.shape(), gen) for Generator gen(options.seed),
//     one weight per output element, drawn in row-major order; L = sum of out * w;
//   * the step: options.eps (default 1e-2), applied to the float value of the element; the
//     numeric derivative divides by the difference the two nudged floats really have,
//     not by 2 eps; L is summed in double;
//   * analytic is element i of the input's gradient after one backward pass, 0 when that
//     gradient is undefined (the op's backward never wrote it);
//   * inputs that do not require grad are not checked;
//   * an element fails when NOT |analytic - numeric| <= atol + rtol * |numeric| (so a NaN
//     on either side fails); max_abs_error is the largest |analytic - numeric| seen;
//   * the message describes the FIRST failure, in exactly this form, the numbers printed
//     by "%.6g" and the multi-index of flat index i formatted like a shape (shape_str):
//        "gradcheck <name>: input <a>, index <i> [<multi-index>]: analytic <g> vs numeric <n>"
//     e.g. "gradcheck w3: input 1, index 1 [0, 1]: analytic 1.27 vs numeric 1.905".
GradcheckResult gradcheck([[maybe_unused]] const std::string& name,
                          [[maybe_unused]] const GradcheckFn& f,
                          [[maybe_unused]] const std::vector<Tensor>& inputs,
                          [[maybe_unused]] const GradcheckOptions& options) {
  bg::not_implemented(2, 5, "gradcheck");
}

}  // namespace bg
