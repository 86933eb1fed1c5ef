// Lesson 05, exercise 5: the AdamW update, step by step as torch.optim.AdamW does it.
#include <cmath>

#include "bg/optim.h"

namespace bg {

void AdamW::step() {
  if (steps_.size() != params_.size()) {
    steps_.resize(params_.size(), 0);
    m_.resize(params_.size());
    v_.resize(params_.size());
  }
  for (size_t k = 0; k < params_.size(); ++k) {
    Node& p = params_[k].node();
    if (p.grad.empty()) continue;  // no gradient: no step, as PyTorch
    std::vector<float>& m = m_[k];
    std::vector<float>& v = v_[k];
    if (m.empty()) {
      m.assign(p.data.size(), 0.0f);
      v.assign(p.data.size(), 0.0f);
    }
    const int64_t t = ++steps_[k];
    // The scalars in double, as Python computes them.
    const double bias_correction1 =
        1.0 - std::pow(static_cast<double>(beta1_), static_cast<double>(t));
    const double bias_correction2 =
        1.0 - std::pow(static_cast<double>(beta2_), static_cast<double>(t));
    const auto decay = static_cast<float>(1.0 - static_cast<double>(lr_) * weight_decay_);
    const auto step_size = static_cast<float>(lr_ / bias_correction1);
    const auto bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
    const float b1 = beta1_, b2 = beta2_;
    float* w = p.data.data();
    const float* g = p.grad.data();
    for (size_t i = 0; i < p.data.size(); ++i) {
      w[i] *= decay;                                          // decoupled weight decay
      m[i] = m[i] * b1 + (1.0f - b1) * g[i];                  // first moment
      v[i] = v[i] * b2 + (1.0f - b2) * g[i] * g[i];           // second moment
      const float denom = std::sqrt(v[i]) / bc2_sqrt + eps_;  // sqrt(v̂) + eps
      w[i] -= step_size * (m[i] / denom);
    }
  }
}

}  // namespace bg
