// Lesson 09, exercise 3: n_layer blocks in sequence. Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-3, then replace the stub's body.
#include "bg/error.h"
#include "bg/gpt.h"

namespace bg {

// Blocks::forward(x, weights): x (B, T, C) through blocks[0], then blocks[1], … — each block
// with its own weights — and return the last output (B, T, C).
// When weights != nullptr: resize it to blocks.size() entries and pass &(*weights)[l] to
// block l's forward, so that it collects that layer's attention weights.
Tensor Blocks::forward([[maybe_unused]] const Tensor& x,
                       [[maybe_unused]] std::vector<std::vector<Tensor>>* weights) const {
  bg::not_implemented(9, 3, "Blocks::forward");
}

}  // namespace bg
