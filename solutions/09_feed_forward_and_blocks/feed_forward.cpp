// Lesson 09, exercise 1: the feed-forward network.
#include "bg/blocks.h"
#include "bg/ops.h"

namespace bg {

Tensor FeedForward::forward(const Tensor& x) const {
  Tensor h = relu(net0(x));              // (B, T, C) -> (B, T, C), or (B, T, 4C) when expanding
  if (net2) h = drop(net2->forward(h));  // (B, T, 4C) -> (B, T, C)
  return h;
}

}  // namespace bg
