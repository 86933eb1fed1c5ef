// Lesson 11, exercise 3: a pre-norm block (v9+).
#include "bg/blocks.h"
#include "bg/ops.h"

namespace bg {

Tensor Block::forward_prenorm(const Tensor& x, std::vector<Tensor>* weights) const {
  const Tensor h = add(x, sa->forward(ln1->forward(x), weights));  // x + sa(ln1(x))
  return add(h, ffwd(ln2->forward(h)));                            // h + ffwd(ln2(h))
}

}  // namespace bg
