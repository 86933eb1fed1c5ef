// Lesson 10, exercise 3: the gradient norm of each block. Read
// lessons/10_residual_connections/README.md#exercise-3, then replace the stub's body.
#include <cmath>
#include <vector>

#include "bg/blocks.h"
#include "bg/error.h"

namespace bg {

// grad_norms(blocks): for each block l (blocks.blocks[l], block 0 first), the square root of
// the sum of the squares of every gradient element of every one of its parameters
// (block->named_parameters()). Sum in double; skip a parameter with !has_grad() (it counts as
// zeros); p.grad() is the gradient as a tensor of p's shape.
std::vector<float> grad_norms([[maybe_unused]] const Blocks& blocks) {
  bg::not_implemented(10, 3, "grad_norms");
}

}  // namespace bg
