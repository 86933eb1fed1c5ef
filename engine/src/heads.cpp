// Lesson 14's engine code: W^O with head gates (bg/heads.h).
#include "bg/heads.h"

#include <string>

#include "bg/error.h"

namespace bg {

HeadProjection::HeadProjection(int64_t n_embed, int64_t n_head, Generator& gen)
    : Linear(n_embed, n_embed, true, gen), n_head_(n_head) {}

Tensor HeadProjection::operator()(const Tensor& x) const {
  return forward(gates_.defined() ? gate_heads(x, gates_) : x);
}

void HeadProjection::set_gates(const Tensor& gates) {
  if (gates.dim() != 1 || gates.size(0) != n_head_) {
    throw Error("head gates: this attention has " + std::to_string(n_head_) +
                " heads, so its gates must have shape [" + std::to_string(n_head_) + "], got " +
                shape_str(gates.shape()));
  }
  gates_ = gates;
}

}  // namespace bg
