// Reverse-mode automatic differentiation: recording the graph, walking it backwards,
// and checking gradients against finite differences.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "bg/tensor.h"

namespace bg {

// Whether ops record the graph now (true unless a NoGradGuard is alive on this thread).
bool grad_enabled();
void set_grad_enabled(bool on);

// The one place every op turns its result into a tensor. When gradients are recorded and
// some input requires grad, the result requires grad, remembers `inputs` as its parents
// and `backward` as its backward function; otherwise it is a plain leaf and nothing is kept.
// Throws bg::Error if data.size() != numel(shape).
Tensor make_result(std::vector<float> data, Shape shape, std::vector<Tensor> inputs,
                   BackwardFn backward, const char* op);

// ---- Lesson 02, exercise 1 ----------------------------------------------------------------
// Every node reachable from `root` through parents, each exactly once, ordered so that a
// node comes after all of its parents (root last). Iterative: a graph of a million chained
// ops must not overflow the stack.
std::vector<Node*> topological_order(Node& root);

// ---- Lesson 02, exercise 2 ----------------------------------------------------------------
// The gradient storage of `node`, allocated (numel zeros) on first use. Backward functions
// ADD into it: a tensor used twice, or two backward passes, must accumulate.
std::span<float> grad_buffer(Node& node);
// For backward functions (engine code, not an exercise): node's grad_buffer when it requires
// a gradient, else nullptr, so that a kernel skips the gradients nobody asked for.
inline float* grad_or_null(Node& node) {
  return node.requires_grad ? grad_buffer(node).data() : nullptr;
}

// ---- Lesson 02, exercise 3 ----------------------------------------------------------------
// While alive, ops record nothing (grad_enabled() is false); restores the previous state
// when destroyed, so guards nest.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  [[maybe_unused]] bool previous_;  // (unused only while the exercise is still a stub)
};

// ---- Lesson 02, exercise 4 ----------------------------------------------------------------
// The backward pass behind Tensor::backward: check that root requires grad and that
// `gradient` has root's shape (bg::Error showing both shapes otherwise), add it to root's
// grad, run every backward function from root towards the leaves (reverse topological
// order), then free the graph: each non-leaf node drops its parents and backward function
// and is marked graph_freed. Backward through a freed graph throws bg::Error.
void run_backward(Node& root, const Tensor& gradient);

// ---- Lesson 02, exercise 5 ----------------------------------------------------------------
// Finite-difference check of the gradients of `f` at `inputs`.
//
// f maps the inputs to one output tensor. gradcheck reduces it to a scalar with fixed
// random weights w (seeded, one per output element): L = sum(f(inputs) * w). It compares,
// for every element i of every input that requires grad, the analytic dL/dx_i (one
// backward pass with gradient w) with the central difference
//     (L(x_i + eps) - L(x_i - eps)) / (2 eps)        (L summed in double)
// and fails when |analytic - numeric| > atol + rtol * |numeric|.
struct GradcheckOptions {
  double eps = 1e-2;
  double atol = 1e-3;
  double rtol = 1e-2;
  uint64_t seed = 1234;  // for the weights w
};
struct GradcheckResult {
  bool ok = true;
  // On failure: "gradcheck <name>: input 1, index 3 [0, 1]: analytic 0.5 vs numeric 0.25".
  std::string message;
  double max_abs_error = 0.0;
};
using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;
GradcheckResult gradcheck(const std::string& name, const GradcheckFn& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

// ---- Looking inside the graph -------------------------------------------------------------
// One line per node reachable from `root` through parents, inputs first: a node's parents are
// always listed before it, root last (the order topological_order gives; backward visits the
// lines bottom to top). Each line shows the node's index, its op with the indices of its
// parents, its shape, requires_grad, its first 4 values and, once a backward pass has written
// it, the first 4 values of its grad ("..." when there are more). A node whose graph a
// backward pass freed says so instead of listing parents. Give `names` (for instance a
// module's named_parameters()) to see those tensors' names:
//
//   0: leaf "w" [3] requires_grad=true data=[0.5, -1, 2]
//   1: leaf [3] requires_grad=false data=[1, 2, 3]
//   2: mul(1, 0) [3] requires_grad=true data=[0.5, -2, 6]
//   3: sum(2) [] requires_grad=true data=[4.5]
//
// Only reads the graph (changes nothing) and walks it with a loop, not recursion, so a graph
// 100,000 ops deep prints fine. It does not call your topological_order, so it can be trusted
// while you debug that. An undefined tensor prints "undefined tensor".
using TensorNames = std::vector<std::pair<std::string, Tensor>>;
std::string dump_graph(const Tensor& root, const TensorNames& names = {});
void dump_graph(std::ostream& os, const Tensor& root, const TensorNames& names = {});

}  // namespace bg
