// The engine's own random numbers. Every random thing the engine does (initial weights,
// batches, sampling) comes from here, never from std::*_distribution, whose output
// differs between standard libraries: the same seed gives the same numbers everywhere.
//
// The algorithm (taught in lessons/01_tensors/README.md#randomness):
//   * PCG32 (O'Neill 2014, "XSH RR" output): a 64-bit linear congruential state
//       state = state * 6364136223846793005 + inc            (inc odd, fixed per stream)
//     and a 32-bit output made from the OLD state by an xorshift and a data-dependent
//     rotation:  x = ((old >> 18) ^ old) >> 27;  rot = old >> 59;  out = rotr32(x, rot).
//   * seeding, as PCG's reference does: inc = (stream << 1) | 1 with stream 0x853c49e6748fea9b,
//     state = 0; step; state += seed; step.
//   * uniform(): the top 24 bits of a draw scaled by 2^-24 — a float in [0, 1).
//   * normal(): Box–Muller on two uniforms u1, u2, computed in double:
//       sqrt(-2 ln(1 - u1)) * cos(2π u2)    (1 - u1 is never 0; the sine half is unused)
//   * randint(n): Lemire's multiply-and-reject, an exactly uniform integer in [0, n).
#pragma once

#include <cstddef>
#include <cstdint>

namespace bg {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  void manual_seed(uint64_t seed);

  uint32_t next_u32();
  float uniform();                    // [0, 1)
  float uniform(float lo, float hi);  // [lo, hi)
  float normal();                     // N(0, 1)
  uint64_t randint(uint64_t n);       // [0, n), n > 0
  // Skips n draws in O(log n) steps: afterwards the generator is where n calls of
  // next_u32() (or uniform()) would have left it. A kernel that splits random work across
  // threads gives each thread a copy advanced to its own first draw, so the numbers are
  // those of the one-thread loop, whatever the number of threads.
  void advance(uint64_t n);
  // The next n draws of next_u32() into out, and the generator n draws on, as n calls would
  // leave it. Four interleaved copies of the stream, each stepping four draws at a time, so
  // that four multiplications are in flight instead of a chain of dependent ones.
  void next_u32s(uint32_t* out, size_t n);

 private:
  static uint32_t output(uint64_t old) {  // PCG's permutation of one state
    const auto x = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    const auto rot = static_cast<uint32_t>(old >> 59u);
    return (x >> rot) | (x << ((32u - rot) & 31u));
  }
  static constexpr uint64_t kMult = 6364136223846793005ULL;
  uint64_t state_ = 0;
  uint64_t inc_ = 0;
};

// In the header, so that loops drawing millions of numbers (dropout) can inline it.
inline uint32_t Generator::next_u32() {
  const uint64_t old = state_;
  state_ = old * kMult + inc_;
  return output(old);
}

inline void Generator::next_u32s(uint32_t* out, size_t n) {
  // copy k starts k draws on; one step of four draws is s -> s·m⁴ + inc·(1 + m + m² + m³)
  const uint64_t m2 = kMult * kMult;
  const uint64_t m4 = m2 * m2, plus4 = inc_ * (1 + kMult + m2 + m2 * kMult);
  uint64_t s[4] = {state_, 0, 0, 0};
  for (int k = 1; k < 4; ++k) s[k] = s[k - 1] * kMult + inc_;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) {
      out[i + static_cast<size_t>(k)] = output(s[k]);
      s[k] = s[k] * m4 + plus4;
    }
  }
  state_ = s[0];  // draw i
  for (; i < n; ++i) out[i] = next_u32();
}

// Dropout's test "gen.uniform() < p" on the integers: uniform() is (next_u32() >> 8) · 2^-24,
// exactly, so it is below p exactly when next_u32() >> 8 is below p · 2^24, that is, below
// the integer dropout_threshold(p) = ceil(p · 2^24). For loops that draw millions of masks.
inline uint32_t dropout_threshold(float p) {
  const float scaled = p * 16777216.0f;  // p · 2^24, exact (a power of two)
  auto t = static_cast<uint32_t>(scaled);
  if (static_cast<float>(t) < scaled) ++t;  // ceil
  return t;
}

// Dropout's factors for n elements: 0 where a draw says drop (its uniform() would be < p),
// else 1 / (1 - p); the same draws, in the same order, as n calls of uniform().
inline void dropout_factors(Generator& g, float p, float* factor, size_t n) {
  const uint32_t threshold = dropout_threshold(p);
  const float keep_scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  constexpr size_t kChunk = 256;
  uint32_t draws[kChunk];
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    const size_t len = n - i0 < kChunk ? n - i0 : kChunk;
    g.next_u32s(draws, len);
    for (size_t i = 0; i < len; ++i)
      factor[i0 + i] = (draws[i] >> 8u) < threshold ? 0.0f : keep_scale;
  }
}

// The generator creation ops and layers use when none is passed. Seed it with manual_seed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace bg
