// The fast engine's ops: coarse ops where a GPT spends its time.
//
// The lessons build attention out of small ops — per head three Linears, q·kᵀ, a mask, a
// softmax, a dropout, a product, and a concat to join the heads — each a graph node with its
// own buffers. That is the clearest way to learn it and a slow way to run it. Here the same
// functions are one op each, a forward and a backward kernel on raw arrays
// (the attention kernels: bg/fast/attention_kernels.h):
//
//   attention      all heads of causal self-attention over (B, T, C) at once: one product
//                  for q, k, v of every head, the heads read in place (no split, no concat),
//                  work split across threads by sequence × head, and the attention weights
//                  never stored: the backward rebuilds them from each row's log-sum-exp.
//                  Attention dropout is drawn in the same order as the list of heads draws
//                  it, so a seeded run drops the same weights on either path. The same op
//                  for grouped-query attention (lesson 14): each query head reads the
//                  key/value head of its group where it lies, no repeat_kv copies.
//   linear_relu    relu(x · Wᵀ + b) in one op: the feed-forward's first layer.
//   linear_dropout drop(x · Wᵀ + b) in one op, the mask drawn again in the backward instead
//                  of stored: W^O and the feed-forward's second layer with their dropout.
//
// They compute what the lessons' modules compute (tests compare the two to 1e-5). No lesson
// module calls them: the fast engine (bg/fast/fast_model.h) runs a whole model on them from
// outside, on the model's own parameters, and the `babygpt` program trains, evaluates and
// samples with it; babygpt_mine, which runs the learner's code, calls the model's own forward.
// `babygpt bench --kernels lesson|fast` times the one against the other.
#pragma once

#include <cstdint>

#include "bg/attention.h"
#include "bg/dropout.h"
#include "bg/grouped_attention.h"
#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg::fast {

// All heads of `mha` on x (B, T, C) -> (B, T, C), heads side by side as MultiHeadAttention
// (lesson 08) concatenates them, with the heads' own dropout on the attention weights
// (training mode, p from heads[0]->drop, drawn from default_generator()). Parents: x and
// every head's query, key and value weights, so gradients reach the heads' own parameters.
Tensor attention(const Tensor& x, const MultiHeadAttention& mha);

// The heads of grouped-query attention (lesson 14) on x (B, T, C) -> (B, T, C): what
// GroupedQueryAttention::forward feeds its proj, head_mix(attn_drop(wei), v), computed as
//   q = x · query.weightᵀ (C),  k = x · key.weightᵀ,  v = x · value.weightᵀ (K·hs each)
//   out[b, t, h·hs …] = Σ_s softmax_s(q_h,t · k_g,s / √hs)·keep · v_g,s      g = h / n_rep
// with one product for q, k and v, and query head h reading key/value head g where it lies
// (no repeat_kv). attn_drop (training mode, p from it) draws from default_generator() as one
// Dropout on the (B, nh, T, T) weights draws: sequence after sequence, head after head, so the
// masks are the module's. Parents: x, query.weight, key.weight, value.weight. W^O, its gates
// and drop are not part of it (fast_model.h's attend adds them). bg::Error showing the shape
// unless x is (B, T, n_embed) with T <= block_size.
Tensor attention(const Tensor& x, const GroupedQueryAttention& gqa);

// relu(x · Wᵀ + b) for lin = Linear(in, out) with bias: x (..., in) -> (..., out).
Tensor linear_relu(const Tensor& x, const Linear& lin);

// drop(lin(x)): a Linear followed by its Dropout, as one op. Dropout draws from
// default_generator() exactly as bg::dropout does (one uniform per output element, in order),
// so the masks are the lesson's; but neither the mask nor the product before dropout is
// kept: the backward draws the mask again from a copy of the generator. In eval mode or with
// p = 0 it is lin(x).
Tensor linear_dropout(const Tensor& x, const Linear& lin, const Dropout& drop);

}  // namespace bg::fast
