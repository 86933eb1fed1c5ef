// Lesson 05, exercise 5: AdamW. Read lessons/05_language_model/README.md#exercise-5.
#include "bg/error.h"
#include "bg/optim.h"

namespace bg {

// For each parameter k that has a gradient (skip the others): allocate m_[k], v_[k] (zeros)
// on first use, count its step t = ++steps_[k] (size steps_, m_, v_ to params_ first), then
// for every element, in this order:
//   p *= 1 - lr·weight_decay
//   m  = β1·m + (1 - β1)·g
//   v  = β2·v + (1 - β2)·g·g
//   p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)
// Compute the scalars (bias corrections, step size) in double, the elements in float.
void AdamW::step() { bg::not_implemented(5, 5, "AdamW::step"); }

}  // namespace bg
