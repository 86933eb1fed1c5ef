// Lesson 09, exercise 2: a block without residual connections (v6). Read
// lessons/09_feed_forward_and_blocks/README.md#exercise-2, then replace the stub's body.
#include "bg/error.h"
#include "bg/gpt.h"

namespace bg {

// Block::forward_plain(x, weights): communication, then computation.
// - a = sa->forward(x, weights)     every head looks back over the sequence  (B, T, C)
// - return ffwd(a)                  every position thinks on its own         (B, T, C)
Tensor Block::forward_plain([[maybe_unused]] const Tensor& x,
                            [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(9, 2, "Block::forward_plain");
}

}  // namespace bg
