// What the heads learned and what they cost — lesson 14.
//
// A gate per head on the heads' outputs, where W^O reads them (so any head of a trained
// model can be switched off without retraining), and the numbers that say what a head looks
// at. What the lesson measures with them on a whole model is in bg/head_study.h. Shapes follow the
// course: B batch, T time, C = n_embed, nh = n_head, hs = C / nh.
#pragma once

#include <cstdint>
#include <span>

#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// ---- Lesson 14, exercise 1: head gates ------------------------------------------------------
// x (..., C) holds nh heads side by side (head h in columns h*hs … h*hs+hs-1, as lesson 08's
// concat leaves them); gates (nh). Every head's columns are multiplied by its gate:
//   y[..., h*hs + i] = gates[h] * x[..., h*hs + i]
// 1 leaves a head as it is, 0 removes it. Backward, with g the upstream gradient:
//   dx[..., h*hs + i] += gates[h] * g[..., h*hs + i]
//   dgates[h]         += Σ over every row and i of g[..., h*hs + i] * x[..., h*hs + i]
// (lessons/14_attention_heads/README.md §2). bg::Error showing both shapes when gates is not
// one-dimensional, is empty, or its size does not divide x's last dimension.
Tensor gate_heads(const Tensor& x, const Tensor& gates);

// W^O with a gate per head on its input (engine code). The same parameters as a
// Linear(C, C) with bias ("proj.weight", "proj.bias"), so checkpoints do not change. Called
// as proj(x), it multiplies each head's columns of x by its gate before the product; with no
// gates set (the default) it is exactly Linear's forward. Lesson 10's ProjectedAttention, the
// KV cache of lesson 13 and the fast engine all go through it.
class HeadProjection : public Linear {
 public:
  HeadProjection(int64_t n_embed, int64_t n_head, Generator& gen = default_generator());

  // x (..., C) -> (..., C): Linear::forward(gate_heads(x, gates())), or Linear::forward(x)
  // when no gates are set.
  Tensor operator()(const Tensor& x) const;

  // gates (nh): 1 keeps a head, 0 removes it, anything between scales it. Give it
  // requires_grad to learn how much the loss depends on each head (dL/dgates). bg::Error
  // showing the shape unless it is (n_head).
  void set_gates(const Tensor& gates);
  void clear_gates() { gates_ = Tensor(); }
  bool has_gates() const { return gates_.defined(); }
  const Tensor& gates() const { return gates_; }  // undefined when not set
  int64_t n_head() const { return n_head_; }

 private:
  int64_t n_head_;
  Tensor gates_;
};

// ---- Lesson 14, exercise 2: what a head looks at ---------------------------------------------
// Five numbers that describe one head's attention weights on one window, each a mean over the
// window's query positions t = 1 … T-1 (position 0 can only look at itself, so it says
// nothing about the head).
struct HeadRole {
  double self = 0;         // w[t][t]: weight on the token itself
  double previous = 0;     // w[t][t-1]: weight on the token just before
  double punctuation = 0;  // Σ_{j<=t, marked[j]} w[t][j]: weight on marked tokens (，。)
  double distance = 0;     // Σ_j w[t][j] * (t - j): mean look-back, in tokens
  double entropy = 0;      // -Σ_j w[t][j] ln w[t][j] (0 ln 0 = 0), in nats
};

// wei (T, T): one head's causal attention weights on one window (row t sums to 1 over
// columns 0 … t; the columns after t are 0). marked (T): which tokens of the window count as
// punctuation. Means in double. bg::Error showing the shapes when wei is not square, T < 2,
// or marked does not have T entries.
HeadRole head_role(const Tensor& wei, std::span<const bool> marked);

}  // namespace bg
