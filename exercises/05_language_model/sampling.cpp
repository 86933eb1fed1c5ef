// Lesson 05, exercise 6: sampling a token. Read lessons/05_language_model/README.md#exercise-6.
#include "bg/data.h"
#include "bg/error.h"

namespace bg {

// Validate (bg::Error): not empty; every weight finite and >= 0 (name the index and value);
// the total (summed in double) > 0. Then exactly ONE draw: u = gen.uniform() · total, and
// walk the running sum; return the first index whose running sum is > u. Skip zero weights
// (so they can never be returned); if rounding lets you fall off the end, return the last
// index with a non-zero weight.
int64_t multinomial([[maybe_unused]] std::span<const float> probs,
                    [[maybe_unused]] Generator& gen) {
  bg::not_implemented(5, 6, "multinomial");
}

}  // namespace bg
