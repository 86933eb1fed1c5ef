// Lesson 08, exercise 2: multi-head attention as a list of heads. Read
// lessons/08_multi_head_attention/README.md#exercise-2, then replace the stubs' bodies.
#include "bg/attention.h"
#include "bg/error.h"

namespace bg {

// The constructor:
// - Throw bg::Error when a size is not positive (the message names it, e.g. "n_head 0"), and
//   when n_embed % n_head != 0 — the message names both numbers and says "divisible"
//   ("n_embed 30 is not divisible by n_head 4").
// - Set n_embed_, n_head_, head_size_ = n_embed / n_head, block_size_.
// - n_head Heads (Head(n_embed, head_size_, block_size, gen)), owned by `heads` and
//   registered as children "heads.0", "heads.1", … (register_module, bg/module.h), so the
//   parameter names match PyTorch's. Create them in order from the same gen: that draws
//   their weights in PyTorch's order.
MultiHeadAttention::MultiHeadAttention([[maybe_unused]] int64_t n_embed,
                                       [[maybe_unused]] int64_t n_head,
                                       [[maybe_unused]] int64_t block_size,
                                       [[maybe_unused]] Generator& gen) {
  bg::not_implemented(8, 2, "MultiHeadAttention::MultiHeadAttention");
}

// forward(x, weights): run every head on x and concat the outputs on the last dim:
// (B, T, C) -> n_head × (B, T, hs) -> (B, T, C). When weights != nullptr, resize it to
// n_head entries and pass &(*weights)[h] to head h so it stores its attention weights.
Tensor MultiHeadAttention::forward([[maybe_unused]] const Tensor& x,
                                   [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(8, 2, "MultiHeadAttention::forward");
}

}  // namespace bg
