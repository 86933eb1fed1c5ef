// Lesson 10, exercise 3: the gradient norm of each block.
#include <cmath>
#include <vector>

#include "bg/blocks.h"

namespace bg {

std::vector<float> grad_norms(const Blocks& blocks) {
  std::vector<float> norms;
  norms.reserve(blocks.blocks.size());
  for (const auto& block : blocks.blocks) {
    double squares = 0.0;  // Σ over the block's parameters p and their elements i of g_i²
    for (const auto& [name, p] : block->named_parameters()) {
      if (!p.has_grad()) continue;  // no gradient yet: zeros
      const Tensor g = p.grad();
      for (float v : g.data()) squares += static_cast<double>(v) * v;
    }
    norms.push_back(static_cast<float>(std::sqrt(squares)));
  }
  return norms;
}

}  // namespace bg
