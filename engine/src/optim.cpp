// The optimisers' constructors (their checks and PyTorch's defaults) and the base class: the
// parts of lessons 04 (SGD) and 05 (AdamW) that are not exercises; step() is the exercise.
#include "bg/optim.h"

#include <string>
#include <utility>

#include "bg/error.h"

namespace bg {

void Optimizer::zero_grad() {
  for (Tensor& p : params_) p.zero_grad();
}

SGD::SGD(std::vector<Tensor> params, float lr, float momentum, float weight_decay)
    : Optimizer(std::move(params)), lr_(lr), momentum_(momentum), weight_decay_(weight_decay) {
  if (!(lr > 0.0f)) throw Error("SGD: lr must be positive, got " + std::to_string(lr));
}

AdamW::AdamW(std::vector<Tensor> params, float lr, float beta1, float beta2, float eps,
             float weight_decay)
    : Optimizer(std::move(params)),
      lr_(lr),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay) {
  if (!(lr >= 0.0f)) throw Error("AdamW: lr must be >= 0, got " + std::to_string(lr));
  if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f)) {
    throw Error("AdamW: betas must be in [0, 1), got " + std::to_string(beta1) + ", " +
                std::to_string(beta2));
  }
  if (!(eps >= 0.0f)) throw Error("AdamW: eps must be >= 0, got " + std::to_string(eps));
  if (!(weight_decay >= 0.0f)) {
    throw Error("AdamW: weight_decay must be >= 0, got " + std::to_string(weight_decay));
  }
}

}  // namespace bg
