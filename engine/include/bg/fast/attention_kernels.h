// The fast engine's attention kernels: all heads of causal self-attention over a batch, a
// forward and a backward on raw arrays (engine/src/fast/attention_kernels.cpp). The ops
// bg::fast::attention (bg/fast/ops.h) wrap them into the graph: the list of heads of lesson 08
// (every head its own keys and values) and lesson 14's grouped-query attention (a key/value
// head shared by a group of query heads) are the same kernels with a different kv.
#pragma once

#include <cstdint>

#include "bg/random.h"

namespace bg::fast {

// B sequences of T positions, C = nh · hs channels, nh query heads of hs channels, and kv
// key/value heads of hs channels (kv divides nh; kv = nh when every head has its own). Query
// head h reads key/value head h / n_rep, n_rep = nh / kv.
struct AttentionDims {
  int64_t B, T, C, nh, kv;
  int64_t hs() const { return C / nh; }
  int64_t n_rep() const { return nh / kv; }
  // a row of qkv: C queries, then kv·hs keys, then kv·hs values
  int64_t width() const { return C + 2 * kv * hs(); }
};

// Attention dropout: its probability p (0: none), and the order of its draws. Every (sequence
// b, head h) draws T · T uniforms, one per weight, row t then column s; its block of draws
// starts b · per_sequence + h · per_head blocks after the generator's state (per_sequence,
// per_head):
//   the list of heads (lesson 08), each head's Dropout on (B, T, T) in turn   1, B
//   one Dropout on the (B, nh, T, T) weights (grouped-query attention)         nh, 1
struct AttentionDropout {
  float p;
  int64_t per_sequence, per_head;
};

// qkv (B, T, width): row (b, t) holds the queries of every head (C), then the keys of every
// key/value head (kv·hs), then their values (kv·hs); query head h owns columns h·hs … h·hs+hs-1
// of the first part, key/value head g columns g·hs … g·hs+hs-1 of the other two. For every
// sequence b and query head h, with g = h / n_rep:
//   w[t, s] = q_t · k_s / sqrt(hs)   for s <= t, -inf above the diagonal      (T, T)
//   p = softmax(w) row by row;  lse[b, h, t] = log Σ_s exp(w[t, s])           (saved, (B, nh, T))
//   p[t, s] *= keep[t, s]            dropout: 0, or 1 / (1 - drop.p)
//   out[b, t, h·hs …] = Σ_s p[t, s] v_s                                       (B, T, C)
// where q is head h's queries and k, v head g's keys and values, read in place (no copies).
// A weight is dropped when its draw (the order of `drop`) is < drop.p. (The caller advances its
// generator past the B·nh·T·T draws.) out is overwritten.
void attention_forward(const float* qkv, float* out, float* lse, const AttentionDims& d,
                       const AttentionDropout& drop, const Generator& gen);
// With g = dL/dout (B, T, C), rebuilds p from q, k and lse, the dropout mask from gen (the
// generator as it was for the forward), and ADDS dL/dqkv into dqkv (B, T, width):
//   dv_s += Σ_t p[t, s] g_t          dp[t, s] = g_t · v_s · keep[t, s]
//   dw[t, s] = p[t, s] (dp[t, s] - Σ_s' p[t, s'] dp[t, s'])          (softmax backward)
//   dq_t += Σ_s dw[t, s] k_s / sqrt(hs)      dk_s += Σ_t dw[t, s] q_t / sqrt(hs)
// A key/value head's dk and dv sum over the query heads of its group, head g·n_rep first.
void attention_backward(const float* g, const float* qkv, const float* lse, float* dqkv,
                        const AttentionDims& d, const AttentionDropout& drop, const Generator& gen);

}  // namespace bg::fast
