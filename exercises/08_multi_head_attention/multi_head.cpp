// Lesson 08, exercise 2: multi-head attention as a list of heads. Read
// lessons/08_multi_head_attention/README.md#exercise-2, then replace the stubs' bodies.
#include "bg/attention.h"
#include "bg/error.h"

namespace bg {

// The constructor:
// - Throw bg::Error when a size is not positive, and when n_embed % n_head != 0 — the
//   message names both numbers ("n_embed 30 is not divisible by n_head 4").
// - Set n_embed_, n_head_, head_size_ = n_embed / n_head, block_size_.
// - For h = 0 … n_head-1: heads.push_back(std::make_unique<Head>(n_embed, head_size_,
//   block_size, gen)) and register it: register_module("heads." + std::to_string(h), …).
//   Creating the heads in order from the same gen draws their weights in PyTorch's order.
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
