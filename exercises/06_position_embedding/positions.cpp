// Lesson 06, exercise 2: the position-embedding step. Read
// lessons/06_position_embedding/README.md#exercise-2.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// tok (B, T, C), pos_table (block_size, C): bg::Error with both shapes when they do not fit,
// and "sequence length T = .. exceeds block_size .." when T > block_size.
// Forward: out[b, t, c] = tok[b, t, c] + pos_table[t, c] (only rows 0..T-1 are read).
// Backward: tok gets the upstream gradient as is; pos_table row t gets the sum over the
// batch of the gradient at (b, t). Only for inputs that require grad.
Tensor add_positions([[maybe_unused]] const Tensor& tok, [[maybe_unused]] const Tensor& pos_table) {
  bg::not_implemented(6, 2, "add_positions");
}

}  // namespace bg
