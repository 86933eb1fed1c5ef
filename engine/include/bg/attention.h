// Self-attention — lesson 07 (softmax, causal masking, one Head) and lesson 08
// (concat, MultiHeadAttention as a list of heads, and the same function computed with one
// fused projection).
//
// Shapes follow the course: B batch, T time (sequence length), C = n_embed channels,
// hs = head_size, nh = n_head.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bg/dropout.h"
#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// ---- Lesson 07, exercise 1 ----------------------------------------------------------------
// softmax along `dim` (negative counts from the end), like torch.softmax:
//   y_i = exp(x_i - m) / sum_j exp(x_j - m),   m = max_j x_j   (subtracting m avoids overflow)
// Entries equal to -inf get probability 0. A slice whose entries are all -inf has no
// distribution: its outputs are NaN (as in PyTorch) — the caller must not ask for that —
// but nothing crashes. Backward: the Jacobian-vector product per slice, in O(n), from y
// alone (derived in lessons/07_self_attention/README.md §5).
Tensor softmax(const Tensor& x, int64_t dim = -1);

// ---- Lesson 07, exercise 2 ----------------------------------------------------------------
// x with `value` wherever mask is nonzero, like torch.Tensor.masked_fill. `mask` holds 0/1
// floats, has at most x's number of dims and broadcasts to x's shape (it never requires a
// gradient). Gradient: passes through where mask == 0, zero where it was filled.
// bg::Error showing both shapes when mask does not broadcast to x.
Tensor masked_fill(const Tensor& x, const Tensor& mask, float value);

// The causal mask as one op: scores (..., T, T) with every entry above the diagonal
// (column j > row i: a key later than the query) set to -inf; the diagonal and below are
// kept. Gradient: passes through below and on the diagonal, zero above.
// bg::Error showing the shape when scores has fewer than 2 dims or is not square.
Tensor causal_mask(const Tensor& scores);

// ---- Lesson 07, exercise 3: one head of causal self-attention -----------------------------
// key, query, value = Linear(n_embed, head_size, bias=false), created (their weights drawn
// from `gen`) and registered in that order: "key.weight", "query.weight", "value.weight".
class Head : public Module {
 public:
  // engine code (engine/src/attention.cpp): checks the sizes (bg::Error naming them),
  // builds and registers the three projections.
  Head(int64_t n_embed, int64_t head_size, int64_t block_size,
       Generator& gen = default_generator());

  // The exercise. x (B, T, C) -> out (B, T, hs), T <= block_size: scaled dot-product
  // attention with the causal mask (lessons/07_self_attention/README.md §2–§4, §6). Row t of
  // out is a weighted average of the values of positions <= t; the attention weights
  // (B, T, T) go through drop (the identity unless dropout is on, lesson 12) before they
  // average the values. When `weights` is not null it receives those weights (for pictures).
  // bg::Error showing the shape when x is not (B, T, n_embed) or T > block_size.
  Tensor forward(const Tensor& x, Tensor* weights = nullptr) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  int64_t n_embed() const { return n_embed_; }
  int64_t head_size() const { return head_size_; }
  int64_t block_size() const { return block_size_; }

  Linear key;
  Linear query;
  Linear value;
  // Dropout on the attention weights ("drop", no parameters). p = 0 here; v10's attention
  // (ProjectedAttention, bg/blocks.h) sets it with drop.set_p.
  Dropout drop;

 private:
  int64_t n_embed_, head_size_, block_size_;
};

// ---- Lesson 08, exercise 1 ----------------------------------------------------------------
// Joins tensors along `dim` (negative counts from the end), like torch.cat: all must have
// the same number of dims and the same sizes except along dim. The gradient of the result
// is cut back into the pieces. bg::Error for an empty list, a bad dim, or mismatched shapes
// (the message shows the offending shapes).
Tensor concat(const std::vector<Tensor>& tensors, int64_t dim);

// ---- What a block's attention layer offers (lessons 08–14) ---------------------------------
// Every attention layer a Block can hold: the list of heads below (lesson 08), the same with
// W^O (ProjectedAttention, lesson 10), or grouped-query attention (lesson 14,
// bg/grouped_attention.h). x (B, T, C) -> (B, T, C). When `weights` is not null it receives
// each query head's attention weights (B, T, T), head 0 first.
class SelfAttention : public Module {
 public:
  virtual Tensor forward(const Tensor& x, std::vector<Tensor>* weights = nullptr) const = 0;
  Tensor operator()(const Tensor& x) const { return forward(x); }
};

// ---- Lesson 08, exercise 2: multi-head attention as a list of heads (the course's v4) ------
// n_head Heads of size n_embed / n_head, registered as children "heads.0", "heads.1", …
// (parameters "heads.<i>.key.weight", "heads.<i>.query.weight", "heads.<i>.value.weight",
// created head after head from `gen`). forward: every head on x, concatenated on the last
// dim: (B, T, C) -> (B, T, C). No output projection (W^O is the course's next step).
// bg::Error naming both numbers when n_embed is not divisible by n_head (or a size is not
// positive).
class MultiHeadAttention : public SelfAttention {
 public:
  MultiHeadAttention(int64_t n_embed, int64_t n_head, int64_t block_size,
                     Generator& gen = default_generator());
  // When `weights` is not null it receives each head's attention weights (B, T, T).
  // ProjectedAttention (lesson 10, bg/blocks.h) overrides it to add the output projection W^O.
  Tensor forward(const Tensor& x, std::vector<Tensor>* weights = nullptr) const override;

  int64_t n_embed() const { return n_embed_; }
  int64_t n_head() const { return n_head_; }
  int64_t head_size() const { return head_size_; }
  int64_t block_size() const { return block_size_; }

  std::vector<std::unique_ptr<Head>> heads;

 private:
  int64_t n_embed_ = 0, n_head_ = 0, head_size_ = 0, block_size_ = 0;
};

// ---- Lesson 08: the heads read where they lie (engine code, not an exercise) ---------------
// In q = query(x) (B, T, C), head h owns columns h*hs … h*hs+hs-1 of every row (C = nh * hs).
// Splitting q into heads with reshape and transpose copies every value (this engine's
// tensors own their memory), and so does merging them back. These two ops compute the fused
// heads' two products with no copy: each head is read, and written, where it lies.
//
// q, k (B, T, C) -> scores (B, nh, T, T), for every sequence b and head h:
//   scores[b, h] = q_h · k_hᵀ            q_h = q[b, :, h*hs … h*hs+hs-1]   (T, hs)
// the values of matmul(split(q), transpose(split(k), -2, -1)), with
// split(t) = transpose(reshape(t, {B, T, nh, hs}), 1, 2). Backward, per (b, h):
//   dq_h += g · k_h        dk_h += gᵀ · q_h
// bg::Error showing the shapes unless q and k are the same (B, T, C) and C divides by n_head.
Tensor head_scores(const Tensor& q, const Tensor& k, int64_t n_head);

// wei (B, nh, T, T), v (B, T, C) -> out (B, T, C), every head's result in its own columns:
//   out_h = wei[b, h] · v_h              out_h = out[b, :, h*hs … h*hs+hs-1]   (T, hs)
// the values of reshape(transpose(matmul(wei, split(v)), 1, 2), {B, T, C}). Backward:
//   dwei[b, h] += g_h · v_hᵀ        dv_h += wei[b, h]ᵀ · g_h
// bg::Error showing both shapes unless wei is (B, nh, T, T) for v (B, T, C) with C divisible
// by nh.
Tensor head_mix(const Tensor& wei, const Tensor& v);

// ---- Lesson 08, exercise 3: the same function with one fused projection --------------------
// key, query, value = Linear(n_embed, n_embed, bias=false) ("key.weight", …): rows
// h*hs … (h+1)*hs-1 of each weight are head h's projection. forward computes the same
// function as MultiHeadAttention with those weights — every head at once, the heads as a
// batch dimension of the products (lessons/08_multi_head_attention/README.md §3).
class FusedMultiHeadAttention : public Module {
 public:
  // engine code: checks the sizes as MultiHeadAttention does, builds and registers key,
  // query, value.
  FusedMultiHeadAttention(int64_t n_embed, int64_t n_head, int64_t block_size,
                          Generator& gen = default_generator());
  // The exercise. When `weights` is not null it receives the attention weights
  // (B, nh, T, T).
  Tensor forward(const Tensor& x, Tensor* weights = nullptr) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  // engine code: copies the heads' weights of `mha` into key/query/value, stacking head h's
  // (hs, C) weight into rows h*hs … (h+1)*hs-1, so that both compute the same function.
  // bg::Error when the sizes differ.
  void load_from(const MultiHeadAttention& mha);

  int64_t n_embed() const { return n_embed_; }
  int64_t n_head() const { return n_head_; }
  int64_t head_size() const { return head_size_; }
  int64_t block_size() const { return block_size_; }

  Linear key;
  Linear query;
  Linear value;

 private:
  int64_t n_embed_, n_head_, head_size_, block_size_;
};

}  // namespace bg
