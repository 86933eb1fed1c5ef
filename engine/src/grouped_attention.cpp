// The parts of lesson 14's grouped-query attention that are not exercises: building the module
// (sizes checked, projections created and registered in the PyTorch twin's order) and cutting
// the attention weights into one tensor per head.
#include "bg/grouped_attention.h"

#include <algorithm>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"

namespace bg {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// Returns K · hs, the width of the key and value projections, after checking the sizes.
int64_t checked_kv_width(int64_t n_embed, int64_t n_head, int64_t n_kv_head, int64_t block_size) {
  if (n_embed <= 0 || n_head <= 0 || n_kv_head <= 0 || block_size <= 0) {
    throw Error("GroupedQueryAttention: sizes must be positive, got n_embed " + str(n_embed) +
                ", n_head " + str(n_head) + ", n_kv_head " + str(n_kv_head) + ", block_size " +
                str(block_size));
  }
  if (n_embed % n_head != 0) {
    throw Error("GroupedQueryAttention: n_embed " + str(n_embed) + " is not divisible by n_head " +
                str(n_head));
  }
  if (n_head % n_kv_head != 0) {
    throw Error("GroupedQueryAttention: n_head " + str(n_head) + " is not divisible by n_kv_head " +
                str(n_kv_head) + " (each key/value head serves n_head / n_kv_head query heads)");
  }
  return n_kv_head * (n_embed / n_head);
}

}  // namespace

GroupedQueryAttention::GroupedQueryAttention(int64_t n_embed, int64_t n_head, int64_t n_kv_head,
                                             int64_t block_size, Generator& gen, float dropout)
    : key(n_embed, checked_kv_width(n_embed, n_head, n_kv_head, block_size), false, gen),
      query(n_embed, n_embed, false, gen),
      value(n_embed, n_kv_head * (n_embed / n_head), false, gen),
      attn_drop(dropout),
      proj(n_embed, n_head, gen),
      drop(dropout),
      n_embed_(n_embed),
      n_head_(n_head),
      n_kv_head_(n_kv_head),
      block_size_(block_size) {
  register_module("key", key);
  register_module("query", query);
  register_module("value", value);
  register_module("attn_drop", attn_drop);
  register_module("proj", proj);
  register_module("drop", drop);
}

std::vector<Tensor> head_weights(const Tensor& wei) {
  if (wei.dim() != 4 || wei.size(2) != wei.size(3)) {
    throw Error("head_weights: wei must be (B, nh, T, T), got " + shape_str(wei.shape()));
  }
  const int64_t B = wei.size(0), nh = wei.size(1), T = wei.size(2), TT = T * T;
  std::vector<Tensor> heads;
  heads.reserve(static_cast<size_t>(nh));
  const auto& w = wei.data();
  for (int64_t h = 0; h < nh; ++h) {
    std::vector<float> one(static_cast<size_t>(B * TT));
    for (int64_t b = 0; b < B; ++b) {
      std::copy_n(w.begin() + (b * nh + h) * TT, TT, one.begin() + b * TT);
    }
    heads.push_back(tensor(std::move(one), {B, T, T}));
  }
  return heads;
}

}  // namespace bg
