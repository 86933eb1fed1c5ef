// Lesson 08, exercise 2: multi-head attention as a list of independent heads.
#include <string>

#include "bg/attention.h"
#include "bg/error.h"

namespace bg {

MultiHeadAttention::MultiHeadAttention(int64_t n_embed, int64_t n_head, int64_t block_size,
                                       Generator& gen) {
  if (n_embed <= 0 || n_head <= 0 || block_size <= 0) {
    throw Error("MultiHeadAttention: sizes must be positive, got n_embed " +
                std::to_string(n_embed) + ", n_head " + std::to_string(n_head) + ", block_size " +
                std::to_string(block_size));
  }
  if (n_embed % n_head != 0) {
    throw Error("MultiHeadAttention: n_embed " + std::to_string(n_embed) +
                " is not divisible by n_head " + std::to_string(n_head));
  }
  n_embed_ = n_embed;
  n_head_ = n_head;
  head_size_ = n_embed / n_head;
  block_size_ = block_size;
  for (int64_t h = 0; h < n_head; ++h) {
    heads.push_back(std::make_unique<Head>(n_embed, head_size_, block_size, gen));
    register_module("heads." + std::to_string(h), *heads.back());
  }
}

Tensor MultiHeadAttention::forward(const Tensor& x, std::vector<Tensor>* weights) const {
  std::vector<Tensor> outs;  // n_head pieces, each (B, T, hs)
  outs.reserve(heads.size());
  if (weights != nullptr) weights->assign(heads.size(), Tensor());
  for (size_t h = 0; h < heads.size(); ++h) {
    outs.push_back(heads[h]->forward(x, weights != nullptr ? &(*weights)[h] : nullptr));
  }
  return concat(outs, -1);  // (B, T, n_head * hs) = (B, T, C)
}

}  // namespace bg
