// The Tensor handle: accessors and sugar. The index arithmetic, creation ops and printing
// it relies on are lesson 01's exercises; backward() is lesson 02's.
#include "bg/tensor.h"

#include <ostream>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

Tensor::Tensor(std::vector<float> data, Shape shape, bool requires_grad) {
  check_shape(shape);
  if (static_cast<int64_t>(data.size()) != bg::numel(shape)) {
    throw Error("tensor: " + std::to_string(data.size()) + " values do not fill shape " +
                shape_str(shape) + " (" + std::to_string(bg::numel(shape)) + " elements)");
  }
  node_ = std::make_shared<Node>();
  node_->data = std::move(data);
  node_->shape = std::move(shape);
  node_->requires_grad = requires_grad;
}

Node::~Node() {
  give_buffer(std::move(data));
  give_buffer(std::move(grad));
  std::vector<Tensor> pending = std::move(parents);
  while (!pending.empty()) {
    Tensor t = std::move(pending.back());
    pending.pop_back();
    const auto& p = t.node_ptr();
    if (p && p.use_count() == 1) {  // t holds the last reference: adopt its parents
      for (Tensor& q : p->parents) pending.push_back(std::move(q));
      p->parents.clear();
    }
  }  // each t dies here with no parents left, so no destructor recursion
}

Node& Tensor::node() const {
  if (!node_) throw Error("use of an undefined tensor");
  return *node_;
}

const Shape& Tensor::shape() const { return node().shape; }
int64_t Tensor::size(int64_t d) const {
  return shape()[static_cast<size_t>(normalize_dim(d, shape()))];
}
int64_t Tensor::numel() const { return static_cast<int64_t>(node().data.size()); }
std::span<float> Tensor::data() { return node().data; }
std::span<const float> Tensor::data() const { return node().data; }

float Tensor::at(std::initializer_list<int64_t> index) const {
  const Node& n = node();
  return n.data[static_cast<size_t>(flat_index(n.shape, std::span(index.begin(), index.size())))];
}

float& Tensor::at(std::initializer_list<int64_t> index) {
  Node& n = node();
  return n.data[static_cast<size_t>(flat_index(n.shape, std::span(index.begin(), index.size())))];
}

float Tensor::item() const {
  if (numel() != 1) {
    throw Error("item() needs a tensor with one element, got shape " + shape_str(shape()));
  }
  return node().data[0];
}

std::vector<float> Tensor::tolist() const { return node().data; }

bool Tensor::requires_grad() const { return node().requires_grad; }

Tensor& Tensor::requires_grad_(bool on) {
  if (!is_leaf()) {
    throw Error("requires_grad_() can only be changed on a leaf tensor (this one was made by " +
                std::string(node().op) + ")");
  }
  node().requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const {
  const Node& n = node();
  return !n.backward_fn && !n.graph_freed;
}

bool Tensor::has_grad() const { return !node().grad.empty(); }

Tensor Tensor::grad() const {
  const Node& n = node();
  if (n.grad.empty()) return Tensor();
  return Tensor(copy_buffer(n.grad), n.shape);
}

void Tensor::zero_grad() {
  give_buffer(std::move(node().grad));  // recycled for the next backward pass
  node().grad = {};
}

void Tensor::backward() const {
  if (numel() != 1) {
    throw Error("backward() without a gradient needs a one-element tensor, got shape " +
                shape_str(shape()) + "; pass the gradient explicitly: t.backward(grad)");
  }
  run_backward(node(), Tensor(std::vector<float>{1.0f}, shape()));
}

void Tensor::backward(const Tensor& gradient) const { run_backward(node(), gradient); }

Tensor Tensor::detach() const { return Tensor(copy_buffer(node().data), node().shape); }

Tensor Tensor::operator-() const { return neg(*this); }
Tensor Tensor::sum() const { return bg::sum(*this); }
Tensor Tensor::sum(int64_t dim, bool keepdim) const { return bg::sum(*this, dim, keepdim); }
Tensor Tensor::mean() const { return bg::mean(*this); }
Tensor Tensor::mean(int64_t dim, bool keepdim) const { return bg::mean(*this, dim, keepdim); }
Tensor Tensor::reshape(Shape shape) const { return bg::reshape(*this, std::move(shape)); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return bg::transpose(*this, d0, d1); }
Tensor Tensor::matmul(const Tensor& other) const { return bg::matmul(*this, other); }
Tensor Tensor::exp() const { return bg::exp(*this); }
Tensor Tensor::log() const { return bg::log(*this); }
Tensor Tensor::tanh() const { return bg::tanh(*this); }
Tensor Tensor::relu() const { return bg::relu(*this); }
Tensor Tensor::sqrt() const { return bg::sqrt(*this); }
Tensor Tensor::pow(float exponent) const { return bg::pow(*this, exponent); }

Tensor zeros(const Shape& shape, bool requires_grad) { return full(shape, 0.0f, requires_grad); }
Tensor ones(const Shape& shape, bool requires_grad) { return full(shape, 1.0f, requires_grad); }
Tensor arange(float end) { return arange(0.0f, end, 1.0f); }
Tensor tensor(std::vector<float> values, Shape shape, bool requires_grad) {
  return Tensor(std::move(values), std::move(shape), requires_grad);
}
Tensor tensor(std::vector<float> values) {
  const auto n = static_cast<int64_t>(values.size());
  return Tensor(std::move(values), Shape{n});
}
Tensor scalar(float value, bool requires_grad) {
  return Tensor(std::vector<float>{value}, Shape{}, requires_grad);
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace bg
