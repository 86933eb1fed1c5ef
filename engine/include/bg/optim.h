// Optimisers.
#pragma once

#include <vector>

#include "bg/tensor.h"

namespace bg {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {}
  virtual ~Optimizer() = default;
  virtual void step() = 0;  // update every parameter that has a gradient
  void zero_grad();         // every parameter forgets its gradient
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  std::vector<Tensor> params_;
};

// Stochastic gradient descent as torch.optim.SGD (dampening 0, no Nesterov):
//   g = grad + weight_decay·p;  v = momentum·v + g (v = g on the first step);  p -= lr·v
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, float lr, float momentum = 0.0f, float weight_decay = 0.0f);
  // ---- Lesson 04, exercise 6
  void step() override;

 private:
  float lr_, momentum_, weight_decay_;
  std::vector<std::vector<float>> velocity_;  // one per parameter, empty until first used
};

// AdamW as torch.optim.AdamW (amsgrad off), for every parameter p with gradient g, at its
// step t = 1, 2, ... (counted per parameter; parameters without a gradient are skipped):
//   p  -= lr·weight_decay·p                      (decoupled weight decay, applied first)
//   m   = β1·m + (1 - β1)·g                      (m, v start at 0)
//   v   = β2·v + (1 - β2)·g²
//   p  -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)
// The scalar factors are computed in double, the per-element updates in float — as PyTorch.
class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float eps = 1e-8f, float weight_decay = 0.01f);
  // ---- Lesson 05, exercise 5
  void step() override;

  float lr() const { return lr_; }
  void set_lr(float lr) { lr_ = lr; }

 private:
  float lr_, beta1_, beta2_, eps_, weight_decay_;
  // Per parameter: the step count t and the moments m, v (empty until first used).
  std::vector<int64_t> steps_;
  std::vector<std::vector<float>> m_, v_;
};

}  // namespace bg
