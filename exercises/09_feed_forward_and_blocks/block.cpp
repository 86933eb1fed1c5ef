// Lesson 09, exercise 2: a block without residual connections (v6). Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-2, then replace the stub's body.
#include "bg/blocks.h"
#include "bg/error.h"

namespace bg {

// Block::forward_plain(x, weights): x (B, T, C) -> (B, T, C), "communication, then
// computation" (README §1 and §4).
// - Available: sa (the attention, (B, T, C) -> (B, T, C)) and ffwd (the feed-forward, the
//   same shapes).
// - Pass `weights` on to sa->forward, so the block hands back its heads' attention weights.
// - No residual connection yet: nothing of x may reach the output except through the
//   sub-layers (with all weights zero the block outputs zeros). The order matters: the tests
//   tell the two orders apart.
// Block::forward has already checked x's shape.
Tensor Block::forward_plain([[maybe_unused]] const Tensor& x,
                            [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(9, 2, "Block::forward_plain");
}

}  // namespace bg
