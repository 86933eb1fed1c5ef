// Grouped-query attention — lesson 14.
//
// In the attention of lessons 08–10 every head has its own keys and values. When a model
// samples, those keys and values are what the KV cache of lesson 13 stores, position after
// position: 2 · n_layer · C floats per token. Grouped-query attention (GQA) keeps n_head query
// heads but only K key/value heads: the query heads are split into K groups of n_rep =
// n_head / K consecutive heads, and the heads of a group share one key head and one value
// head. The cache then holds 2 · n_layer · K · hs floats per token, n_head / K times less.
// K = n_head is the attention of lesson 10; K = 1 is multi-query attention (MQA).
//
// Shapes: B batch, T time, C = n_embed, nh = n_head query heads of hs = C / nh channels,
// K = n_kv_head key/value heads of hs channels each, n_rep = nh / K. Query head h reads key and
// value head h / n_rep.
//
// Parameters, named as the PyTorch twin in tests/golden/gpt_golden.py names them:
//   key.weight (K·hs, C), query.weight (C, C), value.weight (K·hs, C): one fused projection per
//   role, head h's rows h·hs … h·hs+hs-1 (lesson 08's FusedMultiHeadAttention, with K heads for
//   keys and values); proj.weight (C, C), proj.bias (C): W^O.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bg/attention.h"
#include "bg/dropout.h"
#include "bg/heads.h"
#include "bg/kv_cache.h"
#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// ---- Lesson 14, exercise 3: one key/value head for a group of query heads -------------------
// x (..., K·hs) holds K heads side by side (head g in columns g·hs … g·hs+hs-1). Returns
// (..., K·n_rep·hs): head g copied into heads g·n_rep … g·n_rep+n_rep-1, so that query head h
// finds its key (or value) head g = h / n_rep where lesson 08's head_scores and head_mix look
// for head h:
//   y[..., (g·n_rep + r)·hs + i] = x[..., g·hs + i]          r = 0 … n_rep-1
// With n_rep = 1 the result is x itself (no copy, no new node). Backward: a head used n_rep
// times receives the sum of the gradients of its copies, in the order r = 0, 1, …:
//   dx[..., g·hs + i] += Σ_r g[..., (g·n_rep + r)·hs + i]
// (lessons/14_attention_heads/README.md §6). bg::Error showing the shape and both numbers when
// n_kv_head or n_rep is not positive, or x's last dimension does not divide by n_kv_head.
Tensor repeat_kv(const Tensor& x, int64_t n_kv_head, int64_t n_rep);

// ---- Lesson 14, exercise 4: grouped-query attention -----------------------------------------
class GroupedQueryAttention : public SelfAttention {
 public:
  // engine code: checks the sizes (bg::Error naming them: positive, C divisible by n_head,
  // n_head divisible by n_kv_head), then creates and registers key, query, value, proj from
  // gen in that order, and the two dropouts with probability `dropout`.
  GroupedQueryAttention(int64_t n_embed, int64_t n_head, int64_t n_kv_head, int64_t block_size,
                        Generator& gen = default_generator(), float dropout = 0.0f);

  // The exercise. x (B, T, C) -> (B, T, C), T <= block_size:
  //   q = query(x) (B, T, C);  k = key(x), v = value(x) (B, T, K·hs)
  //   k, v = repeat_kv(k, K, n_rep), repeat_kv(v, K, n_rep)     (B, T, C)
  //   wei = attn_drop(softmax(causal_mask(head_scores(q, k, nh) · 1/√hs)))  (B, nh, T, T)
  //   out = drop(proj(head_mix(wei, v)))                                    (B, T, C)
  // (lessons/14_attention_heads/README.md §6). When `weights` is not null it receives each
  // query head's weights (head_weights(wei)): after attn_drop, the weights the values are
  // mixed with, as lesson 07's Head hands back. bg::Error showing the shape when x is not
  // (B, T, n_embed) or T > block_size.
  Tensor forward(const Tensor& x, std::vector<Tensor>* weights = nullptr) const override;

  int64_t n_embed() const { return n_embed_; }
  int64_t n_head() const { return n_head_; }
  int64_t n_kv_head() const { return n_kv_head_; }
  int64_t n_rep() const { return n_head_ / n_kv_head_; }
  int64_t head_size() const { return n_embed_ / n_head_; }
  int64_t block_size() const { return block_size_; }

  Linear key;           // (K·hs, C), no bias
  Linear query;         // (C, C), no bias
  Linear value;         // (K·hs, C), no bias
  Dropout attn_drop;    // on the attention weights (v10+), no parameters
  HeadProjection proj;  // W^O, with head gates (exercise 1)
  Dropout drop;         // after W^O (v10+)

 private:
  int64_t n_embed_, n_head_, n_kv_head_, block_size_;
};

// engine code: wei (B, nh, T, T) -> nh tensors (B, T, T), head 0 first, computed without a
// graph: what SelfAttention::forward hands back in `weights` (the attention pictures, lesson
// 14's head roles).
std::vector<Tensor> head_weights(const Tensor& wei);

// ---- Lesson 14, exercise 5: grouped-query attention with a KV cache -------------------------
// x (1, n, C): new rows at positions caches[0].len … caches[0].len+n-1. caches holds one
// HeadCache of hs per KEY/VALUE head (K of them, not nh): the new rows' keys and values are
// appended there (len grows by n in each), and every query head h attends with lesson 13's
// cached_attention over the cache of its key/value head h / n_rep. Returns proj of the heads'
// outputs side by side, (1, n, C): the rows sa.forward would give for them on the whole window.
// bg::Error when x is not (1, n, C), caches.size() != n_kv_head, a cache's head_size is not hs,
// or a cache has no room for n more rows.
Tensor forward_cached(const GroupedQueryAttention& sa, const Tensor& x,
                      std::span<HeadCache> caches);

}  // namespace bg
