// Lesson 12, exercise 3: what a GPT costs. Read
// lessons/12_dropout_and_scaling/README.md#exercise-3, then replace the stubs' bodies.
#include "bg/scaling.h"
#include "bg/error.h"

namespace bg {

// Exercise 3a. The parameters make_model(c) creates, from the sizes alone (c.validate() first).
// Walk the model of each version (bg/models.h): token table V·C; position table block·C
// (v2+); a Linear(in, out) has in·out weights (+ out with a bias); the key/query/value of
// every head are Linear(C, hs) without bias; a LayerNorm(C) has 2·C; lm_head = Linear(C, V).
int64_t gpt_parameter_count([[maybe_unused]] const ModelConfig& c) {
  bg::not_implemented(12, 3, "gpt_parameter_count");
}

// Exercise 3b. Forward FLOPs per token on sequences of T tokens: 2 × the multiply-adds of the
// matrix products (every Linear, and per head q·kᵀ and weights·v over the full T × T scores),
// divided by T. Check T: 1 <= T <= block_size (v1: any T >= 1), else throw bg::Error.
double gpt_forward_flops_per_token([[maybe_unused]] const ModelConfig& c,
                                   [[maybe_unused]] int64_t T) {
  bg::not_implemented(12, 3, "gpt_forward_flops_per_token");
}

}  // namespace bg
