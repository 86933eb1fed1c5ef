// Dropout — lesson 12. In its own header because attention (lesson 07's Head drops attention
// weights in v10+) and the GPT block (bg/blocks.h) both use it.
#pragma once

#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// ---- Lesson 12, exercise 1 ----------------------------------------------------------------
// Inverted dropout, like torch.nn.functional.dropout in training mode: every element is
// zeroed with probability p and the survivors are multiplied by 1 / (1 - p), so the mean of
// every element is unchanged. Element i (row-major order) is dropped when gen.uniform() < p,
// one draw per element in order. p = 0 returns a copy of x; p = 1 drops everything (zeros).
// Backward: the upstream gradient times the same mask and scale.
// bg::Error when p is not in [0, 1].
Tensor dropout(const Tensor& x, float p, Generator& gen);

// A dropout layer with probability p. It has no parameters.
class Dropout : public Module {
 public:
  explicit Dropout(float p = 0.0f) { set_p(p); }  // bg::Error unless 0 <= p <= 1
  // ---- Lesson 12, exercise 2
  // In training mode with p > 0: bg::dropout(x, p, default_generator()) (seed it with
  // bg::manual_seed). In eval mode (Module::eval()), or when p == 0, the identity: x itself.
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }
  float p() const { return p_; }
  void set_p(float p);

 private:
  float p_ = 0.0f;
};

}  // namespace bg
