// What a GPT costs — lesson 12, exercise 3: its parameters and its forward FLOPs, counted in
// closed form from its configuration, without building it.
//
// The notation of lessons 09–12: V vocabulary, T tokens in a sequence, C = n_embed, L = n_layer
// blocks, n_head heads of size C / n_head.
#pragma once

#include <cstdint>

#include "bg/models.h"

namespace bg {

// ---- Lesson 12, exercise 3 ----------------------------------------------------------------
// The number of parameters make_model(c) creates — the same number as
// make_model(c)->num_parameters() — for every version v1 … v11, from the sizes alone.
// bg::Error when the configuration is not valid (ModelConfig::validate).
int64_t gpt_parameter_count(const ModelConfig& c);

// The forward FLOPs per token of make_model(c) on sequences of T tokens: 2 FLOPs (a multiply
// and an add) for every multiply-add of every matrix product the forward computes, divided by
// the T tokens. The products are the Linear layers (lm_head included) and, for each head of
// each layer, q·kᵀ and weights·v. Those two are counted over the whole T × T score matrix, as
// the engine's kernels compute it (the causal mask hides half of it but saves no work).
// Not counted: embedding lookups, softmax, layer norm, ReLU, the residual adds and dropout
// (O(C) or O(T) per token each, against O(C²) for the products).
// 1 <= T <= block_size for v2 … v11. v1 has no position table: for v1 every T >= 1 is valid,
// T > block_size included (its count does not depend on T). bg::Error otherwise (the message
// shows T and block_size), or when the configuration is not valid.
double gpt_forward_flops_per_token(const ModelConfig& c, int64_t T);

}  // namespace bg
