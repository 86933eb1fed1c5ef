// Lesson 10, exercise 1: a block with residual connections (v7, v8).
#include "bg/blocks.h"
#include "bg/ops.h"

namespace bg {

Tensor Block::forward_residual(const Tensor& x, std::vector<Tensor>* weights) const {
  const Tensor h = add(x, sa->forward(x, weights));  // (B, T, C): x + sa(x)
  return add(h, ffwd(h));                            // (B, T, C): h + ffwd(h)
}

}  // namespace bg
