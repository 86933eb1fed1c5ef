// Lesson 14, exercise 2: what one head looks at. Read
// lessons/14_attention_heads/README.md#exercise-2, then replace the stub's body.
#include "bg/error.h"
#include "bg/heads.h"

namespace bg {

// head_role(wei, marked): wei (T, T) is one head's causal attention on one window, marked (T)
// says which tokens are punctuation. Return the five means of HeadRole (bg/heads.h) over the
// query rows t = 1 … T-1, in double. Careful with the entropy: a weight of exactly 0 (every
// column after t, and sometimes more) contributes 0, not 0 · ln 0 = NaN. The tests check
// hand-made maps (a head that only looks at itself, one that only looks back one token, a
// uniform one) and bg::Error on bad shapes.
HeadRole head_role([[maybe_unused]] const Tensor& wei,
                   [[maybe_unused]] std::span<const bool> marked) {
  bg::not_implemented(14, 2, "head_role");
}

}  // namespace bg
