// Lesson 09, exercise 1: the feed-forward network. Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-1, then replace the stub's body.
#include "bg/error.h"
#include "bg/gpt.h"
#include "bg/ops.h"

namespace bg {

// FeedForward::forward(x): x (B, T, C) -> (B, T, C), position by position.
// - h = relu(net0(x))                       (B, T, C), or (B, T, 4C) when net2 exists
// - if net2 is not null (v8+): h = drop(net2->forward(h))     (B, T, 4C) -> (B, T, C)
// - return h
Tensor FeedForward::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(9, 1, "FeedForward::forward");
}

}  // namespace bg
