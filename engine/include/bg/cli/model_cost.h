// What a model costs, counted from its config without building it: its parameters, the
// floating-point operations of one training step, and whether a step, or a KV cache for
// sampling, fits in this machine's memory. The checkpoint loader, `babygpt train`, `babygpt
// sample` and `babygpt bench` read them.
//
// Lesson 12's gpt_parameter_count and gpt_forward_flops_per_token (bg/scaling.h) count the
// same things, but they are exercises: babygpt_mine links the learner's code and must train
// v4 … v11 before the learner reaches lesson 12. So the program counts on its own, and the
// tests hold both counts to the model's num_parameters().
#pragma once

#include <cstdint>

#include "bg/models.h"

namespace bg::cli {

// The number of parameters of `config`'s model, counted without building it (as a double, so
// that absurd configs do not overflow): what a checkpoint must hold before the model is made.
double parameter_count(const ModelConfig& config);

// Floating-point operations of one training step of `config` on B x T tokens: 2 per
// multiply-add of every matrix product in the forward pass, times 3 for forward + backward
// (the backward pass of a product costs two products of the same size). Elementwise work
// (softmax, layer norm, ReLU, dropout, residual adds, AdamW) is not counted. With N = B·T
// tokens, C = n_embed, V = vocab_size, the multiply-adds of the forward pass are
//   lm_head                                  N·C·V          (every version)
//   per attention layer (v3+):
//     key, query, value (all heads together)  3·N·C²   ((1 + 2·K/n_head)·N·C² with K
//                                                      key/value heads, lesson 14)
//     scores q·kᵀ and weights·v               2·B·T²·C     (summed over the heads: hs·n_head = C)
//     output projection W^O (v8+)             N·C²
//   per feed-forward (v5+): C -> C (v5–v7)    N·C²,   C -> 4C -> C (v8+)  8·N·C²
// v3 and v4 have one attention layer, v5 one attention layer and one feed-forward, v6+ n_layer
// of each (the versions' table, bg/model_versions.h, says which a version has). The scores are
// counted over the full T×T square, as the kernels compute them (the causal mask is applied
// afterwards), not just the causal half.
double training_flops(const ModelConfig& config, int64_t B, int64_t T);

// bg::Error, naming --batch-size and --block-size, when one training step of `config` on
// B x T tokens cannot fit in this machine's memory: at least 16 bytes per parameter (value,
// gradient, AdamW's two moments) and 4 bytes per float of the embeddings (B·T·n_embed) and
// of the logits with their gradient (2·B·T·vocab_size), plus 4 bytes per token of the
// training text that training holds (`corpus_tokens`, train and val; then the message names
// --data too) — a lower bound, checked before the first step instead of failing with "out of
// memory" after a long time.
void check_step_fits_in_memory(const ModelConfig& config, int64_t B, int64_t T,
                               int64_t corpus_tokens = 0);

// The bytes of a KV cache (bg/kv_cache.h) with room for `positions` positions for `config`'s
// model: a key and a value of n_embed floats per position in every attention layer (the heads
// of a layer share n_embed between them), 2 · layers · positions · n_embed floats; with
// grouped-query attention (lesson 14) K = n_kv_head heads of n_embed / n_head floats instead of
// n_embed: n_head / K times less.
double kv_cache_bytes(const ModelConfig& config, int64_t positions);
// bg::Error, naming --tokens, --prompt and --no-kv-cache, when that cache cannot fit in this
// machine's memory: checked before sampling instead of failing with "out of memory".
void check_kv_cache_fits_in_memory(const ModelConfig& config, int64_t positions);

}  // namespace bg::cli
