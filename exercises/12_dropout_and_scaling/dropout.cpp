// Lesson 12, exercises 1 and 2: dropout. Read lessons/12_dropout_and_scaling/README.md#exercise-1
// and #exercise-2, then replace the stubs' bodies.
#include <memory>
#include <string>

#include "bg/autograd.h"
#include "bg/dropout.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"

namespace bg {

// Exercise 1: dropout(x, p, gen): a new tensor of x's shape (README §1; contract in
// bg/dropout.h).
// - bg::Error when p is not in [0, 1] (NaN included); the message says "dropout" and shows p.
// - Exactly one gen.uniform() draw per element, in row-major order; element i is dropped when
//   its draw is < p. The tests replay the same generator, so the order and the number of
//   draws matter.
// - Survivors are scaled so that every element keeps its mean (§1 derives the factor);
//   p = 1 drops everything.
// - Backward: x receives the upstream gradient through the same mask and scale, ADDED into
//   its gradient. Capture what the backward needs, never the output tensor; take_saved(n)
//   (bg/kernels/storage.h) gives a recycled buffer for it.
Tensor dropout([[maybe_unused]] const Tensor& x, [[maybe_unused]] float p,
               [[maybe_unused]] Generator& gen) {
  bg::not_implemented(12, 1, "dropout");
}

// Exercise 2: Dropout::forward(x) (README §2). In training mode with p_ > 0, it drops with
// exercise 1 and the global generator, default_generator() (seeded by bg::manual_seed). In
// eval mode (is_training() is false) or when p_ == 0 it must return x itself — the same
// tensor, no copy, no draw.
Tensor Dropout::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(12, 2, "Dropout::forward");
}

}  // namespace bg
