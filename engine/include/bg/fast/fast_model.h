// The fast engine: a layer above the course's models that runs a model's forward pass on the
// engine's coarse ops (bg/fast/ops.h) instead of the lessons' modules, op by op.
//
// Like generation with a KV cache (bg/kv_cache.h, lesson 13), it reads a model from outside:
// its embedding tables, its heads, its blocks, their feed-forwards and layer norms, and its
// lm_head. It computes with the model's own parameter tensors, so a backward pass puts the
// gradients into the model's parameters, where the optimiser finds them. The models and their
// modules know nothing of it: they have one forward, the one the learner writes.
//
// Which computation runs is decided from what the model has, in one place (fast_model.cpp):
//   sa_heads, nothing after           (v4)   the heads as one attention op
//   sa_heads and a feed-forward       (v5)   attention, then linear_relu
//   blocks                            (v6+)  each block wired by its kind (plain, residual,
//                                            prenorm) and its attention (attend below); then
//                                            ln_final when the model has one (v9+)
//   anything else                     (v1-v3) the model's own features
// The result is what the model's own forward computes (tests: 1e-5 for every version, the
// same dropout masks drawn from the same generator), and the same seed trains the same bits
// whichever way the program was asked to run.
//
// The `babygpt` program computes its losses and logits here; `babygpt_mine`, which runs the
// learner's code, calls the model's own forward (bg::cli::Engine).
#pragma once

#include <cstdint>
#include <span>

#include "bg/attention.h"
#include "bg/models.h"
#include "bg/tensor.h"

namespace bg::fast {

// What attn.forward(x) computes, x (B, T, C) -> (B, T, C), on the coarse ops, by what attn is:
//   GroupedQueryAttention (lesson 14)   attention(x, gqa), then W^O and its dropout
//   ProjectedAttention (v8+)            attention(x, heads), then W^O and its dropout
//   MultiHeadAttention (v4-v7)          attention(x, heads)
// W^O and its dropout are one linear_dropout, with the head gates (lesson 14) on its input
// when they are set. Any other SelfAttention runs its own forward.
Tensor attend(const SelfAttention& attn, const Tensor& x);

// Whether `model` has a fast path (v4 … v11), or falls back to its own features (v1 … v3).
bool has_fast_path(const LanguageModel& model);

// What `model` feeds its lm_head for idx (B, T): (B, T, n_embed), the same numbers as
// model.features(idx, B, T), on the coarse ops where the model has a fast path. Matches
// bg::FeaturesFn, so it can be handed to model_loss, estimate_loss, evaluate_loss, generate.
Tensor features(const LanguageModel& model, std::span<const int32_t> idx, int64_t B, int64_t T);

// model.lm_head()(features(model, idx, B, T)): the logits (B, T, vocab_size).
Tensor logits(const LanguageModel& model, std::span<const int32_t> idx, int64_t B, int64_t T);

// model_loss(model, batch) with the features computed here.
Tensor loss(const LanguageModel& model, const Batch& batch);

}  // namespace bg::fast
