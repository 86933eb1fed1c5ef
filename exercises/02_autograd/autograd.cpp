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
// every node comes after all of its parents; root is last.
//   * "each exactly once": in a diamond (b and c both made from a, d from b and c) a is
//     reached twice. Keep a std::unordered_set<Node*> of the nodes already seen.
//   * "after all of its parents": a depth-first search that appends a node once all of its
//     parents are done (post-order) gives exactly that.
//   * "no recursion": a chain of a million ops would overflow the call stack. Keep your own
//     stack: std::vector<std::pair<Node*, size_t>> of (node, index of the next parent to
//     visit). Look at the top: if it has a parent left, advance the index and push the
//     parent (unless seen); otherwise append the node to the result and pop it.
//   * parents[i] is a Tensor; parents[i].node() is its Node&.
//   * careful: a reference to stack.back() dangles once you push onto the stack.
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

// RAII: the constructor remembers grad_enabled() in previous_ and turns recording off
// (set_grad_enabled(false)); the destructor puts back what it remembered — NOT simply
// true, or an inner guard would switch recording on inside an outer guard.
// Replace both stubs at once: a destructor must not throw (a throwing one ends the program).
NoGradGuard::NoGradGuard() { bg::not_implemented(2, 3, "NoGradGuard::NoGradGuard"); }
NoGradGuard::~NoGradGuard() { bg::not_implemented(2, 3, "NoGradGuard::~NoGradGuard"); }

// ---- exercise 4: the backward pass ---------------------------------------------------------

// What t.backward(gradient) does (engine/src/tensor.cpp calls this with t's node). In order:
//   1. checks, each a bg::Error:
//        - root.requires_grad is false: nothing to differentiate (name root.op);
//        - gradient.shape() != root.shape: show BOTH shapes (shape_str);
//        - some node of the graph is graph_freed: a second backward through the same graph
//          (say "freed" and that the forward pass must be run again).
//   2. add the gradient's values into grad_buffer(root) (+=, not =);
//   3. visit the nodes of topological_order(root) in REVERSE (root first). For each node
//      with a backward_fn: make sure its grad buffer exists (grad_buffer(*n); a node no
//      gradient reached gets zeros), then call n->backward_fn(*n): it adds into its
//      parents' grad buffers. Leaves have no backward_fn: skip them.
//   4. free the graph: after calling a node's backward_fn, set backward_fn = nullptr,
//      clear parents and set graph_freed = true. Careful: dropping the parents can destroy
//      nodes that are still ahead in your order (raw pointers!) — move them into a
//      std::vector<Tensor> that lives until the end of the function.
//   Backward functions compute with ops; run them under a NoGradGuard (exercise 3) so
//   they record nothing.
void run_backward([[maybe_unused]] Node& root, [[maybe_unused]] const Tensor& gradient) {
  bg::not_implemented(2, 4, "run_backward");
}

// ---- exercise 5: gradcheck -----------------------------------------------------------------

// Compare the analytic gradients of f with finite differences (contract in bg/autograd.h).
//   1. copy the inputs into fresh leaves: Tensor(in.tolist(), in.shape(), in.requires_grad())
//      — never touch the caller's tensors or their gradients.
//   2. out = f(xs); weights w = rand(out.shape(), gen) * 2.0f - 1.0f with
//      Generator gen(options.seed); L = sum(out * w). One out.backward(w) gives every dL/dx.
//   3. for each input a that requires grad and each element i: set x_i to x_i + eps and to
//      x_i - eps (as floats), evaluate L each time under a NoGradGuard, summing in double,
//      restore x_i; numeric = (L+ - L-) / (hi - lo), dividing by the step the floats really
//      took. analytic = xs[a].grad() element i (0 when the gradient is undefined).
//   4. fail when |analytic - numeric| > atol + rtol * |numeric| (write the test so that NaN
//      fails too). Keep max_abs_error over all elements; the message is about the FIRST
//      failure, in exactly this form (the multi-index of flat index i, e.g. [0, 1] in a
//      (2, 2) input, is formatted like a shape: build a Shape of indices and call shape_str):
//        "gradcheck <name>: input <a>, index <i> [<multi-index>]: analytic <g> vs numeric <n>"
//      with the numbers printed by "%.6g".
GradcheckResult gradcheck([[maybe_unused]] const std::string& name,
                          [[maybe_unused]] const GradcheckFn& f,
                          [[maybe_unused]] const std::vector<Tensor>& inputs,
                          [[maybe_unused]] const GradcheckOptions& options) {
  bg::not_implemented(2, 5, "gradcheck");
}

}  // namespace bg
