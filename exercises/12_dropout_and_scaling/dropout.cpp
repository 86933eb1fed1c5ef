// Lesson 12, exercises 1 and 2: dropout. Read lessons/12_dropout_and_scaling/README.md#exercise-1
// and #exercise-2, then replace the stubs' bodies.
#include <memory>
#include <string>

#include "bg/autograd.h"
#include "bg/dropout.h"
#include "bg/error.h"
#include "bg/storage.h"

namespace bg {

// Exercise 1: dropout(x, p, gen).
// - Throw bg::Error when p is not in [0, 1].
// - One draw per element, in row-major order: element i is dropped when gen.uniform() < p.
//   A kept element is multiplied by 1 / (1 - p) (for p = 1 everything is dropped).
// - Save the per-element factor (0 or 1 / (1 - p)) for the backward pass, which multiplies the
//   upstream gradient by the same factor and ADDS it into x's gradient. take_saved(n)
//   (bg/storage.h) gives a recycled buffer the backward lambda can capture.
Tensor dropout([[maybe_unused]] const Tensor& x, [[maybe_unused]] float p,
               [[maybe_unused]] Generator& gen) {
  bg::not_implemented(12, 1, "dropout");
}

// Exercise 2: Dropout::forward(x). In eval mode (!is_training()) or when p_ == 0, return x
// itself; otherwise dropout(x, p_, default_generator()).
Tensor Dropout::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(12, 2, "Dropout::forward");
}

}  // namespace bg
