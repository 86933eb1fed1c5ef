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
// divided by T. Which products each version has: bg/scaling.h and README §4.
// - c.validate() first (its bg::Error names what is wrong).
// - The valid T: T >= 1 always; for v2 … v11 also T <= block_size (their position table has
//   block_size rows). v1 has no position table and runs on a sequence of any length, so for
//   v1 every T >= 1 is valid, T > block_size included, and its count does not depend on T.
// - Any other T: bg::Error whose message names T and shows both T's value and block_size.
double gpt_forward_flops_per_token([[maybe_unused]] const ModelConfig& c,
                                   [[maybe_unused]] int64_t T) {
  bg::not_implemented(12, 3, "gpt_forward_flops_per_token");
}

}  // namespace bg
