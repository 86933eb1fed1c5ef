// Tensor: a cheap handle (shared ownership) to a Node of the autograd graph.
//
// A Node holds contiguous row-major float32 data, its shape, its gradient (allocated the
// first time a backward pass writes to it), whether it requires a gradient, and — for a
// tensor made by an op while gradients are recorded — its parents (the op's inputs) and
// the backward function that sends its gradient to them.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bg/random.h"
#include "bg/shape.h"

namespace bg {

struct Node;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (defined() == false)
  explicit Tensor(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  // A leaf tensor owning `data` laid out in `shape` (data.size() must equal numel(shape)).
  Tensor(std::vector<float> data, Shape shape, bool requires_grad = false);

  bool defined() const { return node_ != nullptr; }
  const Shape& shape() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const;

  // The values, row-major.
  std::span<float> data();
  std::span<const float> data() const;
  // The element at a multi-index, e.g. t.at({1, 2}); negative indices count from the end.
  float at(std::initializer_list<int64_t> index) const;
  float& at(std::initializer_list<int64_t> index);
  // The only value of a one-element tensor.
  float item() const;
  std::vector<float> tolist() const;  // a copy of the values

  // ---- autograd
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);  // only on leaves
  bool is_leaf() const;
  // The gradient as a new tensor with this tensor's shape (undefined before any backward).
  Tensor grad() const;
  bool has_grad() const;
  void zero_grad();  // forget the gradient (like PyTorch's set_to_none)
  // Backpropagate from this tensor. Without an argument it must hold exactly one element
  // (its gradient is 1); otherwise pass the gradient of some scalar with respect to it.
  void backward() const;
  void backward(const Tensor& gradient) const;
  // The same values in a new leaf that does not require grad (no graph, no shared data).
  Tensor detach() const;

  // ---- sugar for the free functions of bg/ops.h and bg/linalg.h
  Tensor operator-() const;
  Tensor sum() const;
  Tensor sum(int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(int64_t dim, bool keepdim = false) const;
  Tensor reshape(Shape shape) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor matmul(const Tensor& other) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor tanh() const;
  Tensor relu() const;
  Tensor sqrt() const;
  Tensor pow(float exponent) const;

  Node& node() const;  // throws bg::Error on an undefined tensor
  const std::shared_ptr<Node>& node_ptr() const { return node_; }

 private:
  std::shared_ptr<Node> node_;
};

// The backward function of an op. It receives the op's output node `out`: out.grad is the
// upstream gradient, out.parents are the op's inputs (in the order the op took them) and
// out.data the values the op produced. It adds each input's gradient into
// grad_buffer(input) — only for inputs that require grad — and captures nothing but what
// the forward pass saved for it (never the output tensor itself: no reference cycles).
using BackwardFn = std::function<void(const Node& out)>;

struct Node {
  std::vector<float> data;  // numel(shape) values, row-major
  Shape shape;
  std::vector<float> grad;  // empty until a backward pass writes it; then numel(shape) values
  bool requires_grad = false;
  std::vector<Tensor> parents;  // the op's inputs (empty for leaves and for freed graphs)
  BackwardFn backward_fn;       // empty for leaves and once the graph is freed
  const char* op = "leaf";      // the op that made this node, for messages
  bool graph_freed = false;     // set by backward() on non-leaf nodes once it has run

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases a long chain of parents with a loop instead of nested destructor calls,
  // so dropping a graph of a million ops does not overflow the stack.
  ~Node();
};

// ---- creation ops (lesson 01) -------------------------------------------------------------
// Exercise 3: full and arange; zeros/ones/tensor are written on top of them.
Tensor full(const Shape& shape, float value, bool requires_grad = false);
Tensor zeros(const Shape& shape, bool requires_grad = false);
Tensor ones(const Shape& shape, bool requires_grad = false);
// start, start+step, ... while < end (or > end for a negative step); like torch.arange:
// ceil((end - start) / step) values (none when that is negative), the count computed in
// double (arange(-1, 1e-8f, 1) has 2 values), value i = start + i·step computed in double.
// bg::Error for step 0, a non-finite argument, or more than 1e9 values.
Tensor arange(float start, float end, float step = 1.0f);
Tensor arange(float end);
// A tensor from values and a shape; tensor({1, 2, 3}) is 1-D.
Tensor tensor(std::vector<float> values, Shape shape, bool requires_grad = false);
Tensor tensor(std::vector<float> values);
Tensor scalar(float value, bool requires_grad = false);  // shape {}
// Exercise 5: U[0, 1) and N(0, 1) samples from `gen` (the default generator when omitted).
Tensor rand(const Shape& shape, Generator& gen = default_generator());
Tensor randn(const Shape& shape, Generator& gen = default_generator());

// ---- printing (lesson 01, exercise 4) -----------------------------------------------------
// PyTorch-like: "tensor([[ 1.0000, -2.5000],\n        [ 3.0000,  4.0000]])", values with
// 4 decimals right-aligned to a common width; tensors over 1000 elements show the first and
// last 3 entries of each dimension with "..." between; ", requires_grad=True" when it does.
std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace bg
