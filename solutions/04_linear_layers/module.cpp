// Lesson 04, exercises 4–6: parameter names, the Linear layer, SGD.
#include <cmath>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/storage.h"
#include "bg/linalg.h"
#include "bg/module.h"
#include "bg/optim.h"

namespace bg {

// ---- exercise 4: dotted names, depth first, own parameters before children
std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  // An explicit stack of (module, prefix) so that deep trees need no recursion; children
  // are pushed in reverse so that they come out in registration order.
  std::vector<std::pair<const Module*, std::string>> stack{{this, ""}};
  while (!stack.empty()) {
    auto [m, prefix] = stack.back();
    stack.pop_back();
    for (const auto& [name, t] : m->own_parameters()) out.emplace_back(prefix + name, t);
    const auto& kids = m->children();
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
      stack.emplace_back(it->second, prefix + it->first + ".");
    }
  }
  return out;
}

// ---- exercise 5: Linear
Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator& gen)
    : in_(in_features), out_(out_features) {
  if (in_features <= 0 || out_features <= 0) {
    throw Error("Linear: sizes must be positive, got in " + std::to_string(in_features) + ", out " +
                std::to_string(out_features));
  }
  // PyTorch's default: U(-1/√in, 1/√in) for the weight (drawn first, row-major), then the bias.
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  Tensor w = zeros({out_features, in_features});
  for (float& x : w.data()) x = gen.uniform(-bound, bound);
  weight = register_parameter("weight", w);
  if (with_bias) {
    Tensor b = zeros({out_features});
    for (float& x : b.data()) x = gen.uniform(-bound, bound);
    bias = register_parameter("bias", b);
  }
}

Tensor Linear::forward(const Tensor& x) const {
  if (x.dim() < 1 || x.shape().back() != in_) {
    throw Error("Linear(" + std::to_string(in_) + " -> " + std::to_string(out_) +
                "): input of shape " + shape_str(x.shape()) + " does not end in " +
                std::to_string(in_));
  }
  const int64_t rows = x.numel() / in_;
  Shape out_shape = x.shape();
  out_shape.back() = out_;
  // y (rows, out) = x (rows, in) · Wᵀ + b
  // Every row starts as the bias (or zeros); the product is added on top.
  std::vector<float> y = take_buffer(static_cast<size_t>(rows * out_));
  for (int64_t r = 0; r < rows; ++r) {
    if (bias.defined()) {
      std::copy_n(bias.data().data(), out_, y.data() + r * out_);
    } else {
      std::fill_n(y.data() + r * out_, out_, 0.0f);
    }
  }
  gemm_nt(x.data().data(), weight.data().data(), y.data(), rows, in_, out_);
  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  const int64_t in = in_, out = out_;
  return make_result(
      std::move(y), std::move(out_shape), std::move(inputs),
      [rows, in, out](const Node& o) {
        const float* g = o.grad.data();  // (rows, out)
        const Tensor& x = o.parents[0];
        const Tensor& w = o.parents[1];
        if (x.requires_grad()) {  // dx (rows, in) += g · W
          gemm_nn(g, w.data().data(), grad_buffer(x.node()).data(), rows, out, in);
        }
        if (w.requires_grad()) {  // dW (out, in) += gᵀ · x
          gemm_tn(g, x.data().data(), grad_buffer(w.node()).data(), out, rows, in);
        }
        if (o.parents.size() > 2 && o.parents[2].requires_grad()) {  // db += column sums of g
          float* gb = grad_buffer(o.parents[2].node()).data();
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < out; ++j) gb[j] += g[r * out + j];
        }
      },
      "linear");
}

// ---- exercise 6: SGD
void SGD::step() {
  if (velocity_.size() != params_.size()) velocity_.resize(params_.size());
  for (size_t k = 0; k < params_.size(); ++k) {
    Node& p = params_[k].node();
    if (p.grad.empty()) continue;
    std::vector<float>& v = velocity_[k];
    const bool first = v.empty();
    if (momentum_ != 0.0f && first) v.assign(p.data.size(), 0.0f);
    for (size_t i = 0; i < p.data.size(); ++i) {
      float g = p.grad[i] + weight_decay_ * p.data[i];
      if (momentum_ != 0.0f) {
        v[i] = first ? g : momentum_ * v[i] + g;
        g = v[i];
      }
      p.data[i] -= lr_ * g;
    }
  }
}

}  // namespace bg
