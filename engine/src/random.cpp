#include "bg/random.h"

#include "bg/error.h"

namespace bg {

void Generator::manual_seed(uint64_t seed) {
  state_ = 0;
  inc_ = (0x853c49e6748fea9bULL << 1u) | 1u;
  next_u32();
  state_ += seed;
  next_u32();
}

// n steps of state = a·state + c compose into one step state = A·state + C. Squaring the
// step (a, c) -> (a·a, (a + 1)·c) doubles its length, so n steps are the product of the
// squarings picked by the bits of n (Brown, "Random number generation with arbitrary
// strides", 1994). All arithmetic is modulo 2^64, as in next_u32().
void Generator::advance(uint64_t n) {
  uint64_t step_mult = 6364136223846793005ULL, step_plus = inc_;  // one step
  uint64_t total_mult = 1, total_plus = 0;                        // zero steps
  for (; n > 0; n >>= 1u) {
    if ((n & 1u) != 0) {
      total_mult *= step_mult;
      total_plus = total_plus * step_mult + step_plus;
    }
    step_plus = (step_mult + 1) * step_plus;
    step_mult *= step_mult;
  }
  state_ = total_mult * state_ + total_plus;
}

float Generator::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

uint64_t Generator::randint(uint64_t n) {
  if (n == 0) throw Error("randint: n must be positive");
  if (n > 0xffffffffULL) {
    // Two draws for ranges beyond 32 bits (never needed by the course, kept correct).
    const uint64_t hi = next_u32();
    const uint64_t x = (hi << 32u) | next_u32();
    return x % n;
  }
  const auto n32 = static_cast<uint32_t>(n);
  uint64_t m = static_cast<uint64_t>(next_u32()) * n32;
  auto low = static_cast<uint32_t>(m);
  if (low < n32) {
    const uint32_t threshold = (0u - n32) % n32;
    while (low < threshold) {
      m = static_cast<uint64_t>(next_u32()) * n32;
      low = static_cast<uint32_t>(m);
    }
  }
  return m >> 32u;
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace bg
