// The fast engine's attention kernels: all heads of causal self-attention over a batch, a
// forward and a backward on raw arrays (engine/src/fast/attention_kernels.cpp). The op
// bg::fast::attention (bg/fast/ops.h) wraps them into the graph.
#pragma once

#include <cstdint>

#include "bg/random.h"

namespace bg::fast {

// B sequences of T positions, C = nh · hs channels, nh heads of hs channels.
struct AttentionDims {
  int64_t B, T, C, nh;
  int64_t hs() const { return C / nh; }
};

// qkv (B, T, 3C): row (b, t) holds the queries of every head (C), then the keys, then the
// values; head h owns columns h·hs … h·hs+hs-1 of each third. For every sequence b and head h:
//   w[t, s] = q_t · k_s / sqrt(hs)   for s <= t, -inf above the diagonal      (T, T)
//   p = softmax(w) row by row;  lse[b, h, t] = log Σ_s exp(w[t, s])           (saved)
//   p[t, s] *= keep[t, s]            dropout: 0, or 1 / (1 - drop_p)
//   out[b, t, h·hs …] = Σ_s p[t, s] v_s                                       (B, T, C)
// Dropout draws one uniform from `gen` per weight, the lesson's order: head h, then sequence
// b, then row t, then column s — draw number ((h·B + b)·T + t)·T + s counted from gen's state;
// a weight is dropped when its draw is < drop_p. (The caller advances its generator past the
// nh·B·T·T draws.) out is overwritten.
void attention_forward(const float* qkv, float* out, float* lse, const AttentionDims& d,
                       float drop_p, const Generator& gen);
// With g = dL/dout (B, T, C), rebuilds p from q, k and lse, the dropout mask from gen (the
// generator as it was for the forward), and ADDS dL/dqkv into dqkv (B, T, 3C):
//   dv_s += Σ_t p[t, s] g_t          dp[t, s] = g_t · v_s · keep[t, s]
//   dw[t, s] = p[t, s] (dp[t, s] - Σ_s' p[t, s'] dp[t, s'])          (softmax backward)
//   dq_t += Σ_s dw[t, s] k_s / sqrt(hs)      dk_s += Σ_t dw[t, s] q_t / sqrt(hs)
void attention_backward(const float* g, const float* qkv, const float* lse, float* dqkv,
                        const AttentionDims& d, float drop_p, const Generator& gen);

}  // namespace bg::fast
