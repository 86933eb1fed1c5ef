// Lesson 09, exercise 1: the feed-forward network. Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-1, then replace the stub's body.
#include "bg/blocks.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// FeedForward::forward(x): x (B, T, C) -> (B, T, C), each position on its own.
// - Available: net0 (Linear(C, C), or Linear(C, 4C) when it expands), net2 (null unless it
//   expands: then Linear(4C, C)), drop (the dropout, "net.3"), and relu from bg/ops.h.
// - README §2 gives both shapes of the network, layer by layer, in PyTorch's order; follow
//   that order. The dropout is the last step, and only the expanding kind has one.
// - A wrong last dim is caught by net0, whose bg::Error shows x's shape.
Tensor FeedForward::forward([[maybe_unused]] const Tensor& x) const {
  bg::not_implemented(9, 1, "FeedForward::forward");
}

}  // namespace bg
