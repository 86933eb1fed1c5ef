// Lesson 05, exercise 6: one draw from a categorical distribution by inverse CDF.
#include <cmath>
#include <string>

#include "bg/data.h"
#include "bg/error.h"

namespace bg {

int64_t multinomial(std::span<const float> probs, Generator& gen) {
  if (probs.empty()) throw Error("multinomial: no categories (empty weights)");
  double total = 0.0;
  for (size_t i = 0; i < probs.size(); ++i) {
    const float p = probs[i];
    if (!std::isfinite(p) || p < 0.0f) {
      throw Error("multinomial: weight " + std::to_string(i) + " is " + std::to_string(p) +
                  " (weights must be finite and >= 0)");
    }
    total += p;
  }
  if (!(total > 0.0))
    throw Error("multinomial: all " + std::to_string(probs.size()) + " weights are zero");
  const double u = static_cast<double>(gen.uniform()) * total;  // in [0, total)
  double running = 0.0;
  int64_t last_nonzero = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] == 0.0f) continue;  // never drawn
    running += probs[i];
    last_nonzero = static_cast<int64_t>(i);
    if (running > u) return last_nonzero;
  }
  return last_nonzero;  // rounding left u at or beyond the last running sum
}

}  // namespace bg
