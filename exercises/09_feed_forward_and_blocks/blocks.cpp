// Lesson 09, exercise 3: n_layer blocks in sequence. Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-3, then replace the stub's body.
#include "bg/blocks.h"
#include "bg/error.h"

namespace bg {

// Blocks::forward(x, weights): x (B, T, C) -> (B, T, C), the blocks in sequence like
// PyTorch's nn.Sequential (README §4): block 0 reads x, every later block reads the output
// of the block before it, and the last block's output is the result. blocks[l] is block l;
// each has its own weights.
// When weights != nullptr: on return it holds blocks.size() entries, and entry l holds the
// attention weights block l hands back through its forward (one tensor per head).
Tensor Blocks::forward([[maybe_unused]] const Tensor& x,
                       [[maybe_unused]] std::vector<std::vector<Tensor>>* weights) const {
  bg::not_implemented(9, 3, "Blocks::forward");
}

}  // namespace bg
