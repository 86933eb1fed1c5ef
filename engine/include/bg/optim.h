// Optimisers.
#pragma once

#include <vector>

#include "bg/tensor.h"

namespace bg {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {}
  virtual ~Optimizer() = default;
  virtual void step() = 0;       // update every parameter that has a gradient
  void zero_grad();              // every parameter forgets its gradient
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

}  // namespace bg
