// Lesson 06, exercise 2: the position-embedding step. Read
// lessons/06_position_embedding/README.md#exercise-2.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// tok (B, T, C), pos_table (block_size, C) -> (B, T, C): every sequence of the batch gets
// rows 0..T-1 of the table added, row t to position t (README section 2 defines it). The
// contract:
//   * bg::Error with both shapes when they do not fit (tok not 3-D, pos_table not 2-D, the
//     C differ), and "sequence length T = .. exceeds block_size .." when T > block_size;
//   * one op, named "add_positions", recorded through make_result; it gives the same values
//     and gradients as tok + narrow(pos_table, 0, 0, T), without the copy;
//   * backward: ADD the gradients README section 2 derives, only into the inputs that
//     require grad; rows t >= T of pos_table get nothing.
Tensor add_positions([[maybe_unused]] const Tensor& tok, [[maybe_unused]] const Tensor& pos_table) {
  bg::not_implemented(6, 2, "add_positions");
}

}  // namespace bg
