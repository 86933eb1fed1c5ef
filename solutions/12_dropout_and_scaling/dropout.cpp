// Lesson 12, exercises 1 and 2: dropout, and the layer that switches it off in eval mode.
#include <memory>
#include <string>

#include "bg/autograd.h"
#include "bg/dropout.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor dropout(const Tensor& x, float p, Generator& gen) {
  if (!(p >= 0.0f && p <= 1.0f)) {
    throw Error("dropout: p must be in [0, 1], got " + std::to_string(p));
  }
  const auto in = x.data();
  // keep[i] = 0 (dropped) or 1 / (1 - p) (kept and rescaled); saved for the backward
  const std::shared_ptr<std::vector<float>> keep = take_saved(in.size());
  const float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (size_t i = 0; i < in.size(); ++i) (*keep)[i] = gen.uniform() < p ? 0.0f : scale;
  std::vector<float> y = take_buffer(in.size());
  for (size_t i = 0; i < in.size(); ++i) y[i] = in[i] * (*keep)[i];
  return make_result(
      std::move(y), x.shape(), {x},
      [keep](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (size_t i = 0; i < gx.size(); ++i) gx[i] += out.grad[i] * (*keep)[i];
      },
      "dropout");
}

Tensor Dropout::forward(const Tensor& x) const {
  if (!is_training() || p_ == 0.0f) return x;
  return dropout(x, p_, default_generator());
}

}  // namespace bg
