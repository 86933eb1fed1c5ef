// Lesson 05, exercise 5: AdamW. Read lessons/05_language_model/README.md#exercise-5.
#include "bg/error.h"
#include "bg/optim.h"

namespace bg {

// AdamW::step, as torch.optim.AdamW (amsgrad off). The update rule is defined in README
// section 4, with PyTorch's defaults (lr 1e-3, β1 0.9, β2 0.999, eps 1e-8, weight decay
// 0.01); the constructor (engine code) has stored the values in lr_, beta1_, beta2_, eps_
// and weight_decay_. The contract, checked against torch.optim.AdamW over five steps to 1e-6:
//   * only parameters that have a gradient (node().grad not empty) are updated; one without
//     is skipped entirely: not decayed, and its step count does not move;
//   * the state, per parameter k: steps_[k], its own step count t = 1, 2, ...; m_[k] and
//     v_[k], the running averages of the gradient and of its square, zero before the first
//     step (empty until first used). Size steps_, m_ and v_ to params_ first;
//   * weight decay is decoupled: it shrinks p directly, it does not go through the
//     gradient or the moments;
//   * bias correction is required, from each parameter's own t; README section 4 says in
//     which order PyTorch applies the corrections and eps — follow it to match its numbers;
//   * the scalar factors are computed in double, the per-element updates in float;
//   * update node().data in place: no graph, no new tensors.
void AdamW::step() { bg::not_implemented(5, 5, "AdamW::step"); }

}  // namespace bg
