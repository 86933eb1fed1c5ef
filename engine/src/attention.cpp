// The parts of lessons 07–08 that are not exercises: building the attention modules
// (sizes checked, projections created and registered in the PyTorch order) and copying a
// list of heads into the fused projection.
#include "bg/attention.h"

#include <algorithm>
#include <string>

#include "bg/error.h"

namespace bg {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// Returns n_embed after checking the sizes of a Head.
int64_t checked_head(int64_t n_embed, int64_t head_size, int64_t block_size) {
  if (n_embed <= 0 || head_size <= 0 || block_size <= 0) {
    throw Error("Head: sizes must be positive, got n_embed " + str(n_embed) + ", head_size " +
                str(head_size) + ", block_size " + str(block_size));
  }
  return n_embed;
}

// Returns n_embed after checking the sizes of a multi-head attention.
int64_t checked_multi(const char* who, int64_t n_embed, int64_t n_head, int64_t block_size) {
  if (n_embed <= 0 || n_head <= 0 || block_size <= 0) {
    throw Error(std::string(who) + ": sizes must be positive, got n_embed " + str(n_embed) +
                ", n_head " + str(n_head) + ", block_size " + str(block_size));
  }
  if (n_embed % n_head != 0) {
    throw Error(std::string(who) + ": n_embed " + str(n_embed) + " is not divisible by n_head " +
                str(n_head));
  }
  return n_embed;
}

}  // namespace

Head::Head(int64_t n_embed, int64_t head_size, int64_t block_size, Generator& gen)
    : key(checked_head(n_embed, head_size, block_size), head_size, false, gen),
      query(n_embed, head_size, false, gen),
      value(n_embed, head_size, false, gen),
      n_embed_(n_embed),
      head_size_(head_size),
      block_size_(block_size) {
  register_module("key", key);
  register_module("query", query);
  register_module("value", value);
  // No parameters, but a child all the same, so that train() / eval() reach it: without it
  // a v10 model in eval mode would still drop attention weights.
  register_module("drop", drop);
}

FusedMultiHeadAttention::FusedMultiHeadAttention(int64_t n_embed, int64_t n_head,
                                                 int64_t block_size, Generator& gen)
    : key(checked_multi("FusedMultiHeadAttention", n_embed, n_head, block_size), n_embed, false,
          gen),
      query(n_embed, n_embed, false, gen),
      value(n_embed, n_embed, false, gen),
      n_embed_(n_embed),
      n_head_(n_head),
      head_size_(n_embed / n_head),
      block_size_(block_size) {
  register_module("key", key);
  register_module("query", query);
  register_module("value", value);
}

void FusedMultiHeadAttention::load_from(const MultiHeadAttention& mha) {
  if (mha.n_embed() != n_embed_ || mha.n_head() != n_head_ ||
      static_cast<int64_t>(mha.heads.size()) != n_head_) {
    throw Error("FusedMultiHeadAttention::load_from: sizes differ: fused n_embed " + str(n_embed_) +
                ", n_head " + str(n_head_) + " vs list of " +
                str(static_cast<int64_t>(mha.heads.size())) + " heads, n_embed " +
                str(mha.n_embed()) + ", n_head " + str(mha.n_head()));
  }
  const int64_t block = head_size_ * n_embed_;  // one head's (hs, C) weight
  for (int64_t h = 0; h < n_head_; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    const std::pair<const Linear*, Linear*> pairs[] = {
        {&head.key, &key}, {&head.query, &query}, {&head.value, &value}};
    for (auto [from, to] : pairs) {
      auto src = from->weight.data();  // (hs, C)
      if (static_cast<int64_t>(src.size()) != block) {
        throw Error("FusedMultiHeadAttention::load_from: head " + str(h) + " weight has shape " +
                    shape_str(from->weight.shape()) + ", expected [" + str(head_size_) + ", " +
                    str(n_embed_) + "]");
      }
      std::copy(src.begin(), src.end(), to->weight.data().begin() + h * block);  // rows h*hs…
    }
  }
}

}  // namespace bg
