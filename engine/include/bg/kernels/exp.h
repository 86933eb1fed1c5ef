// A float exp the compiler can vectorise, for the hot loops of softmax-like ops (the
// cross-entropy over a 6,104-character vocabulary computes millions of exps per step, and
// std::exp is a library call per element).
//
//   exp(x) = 2^k · exp(r),   k = round(x / ln 2),   r = x - k·ln 2 ∈ [-ln2/2, ln2/2]
//
// r is computed with ln 2 split in two parts (Cody–Waite) so that it stays exact to float
// precision; exp(r) is its Taylor polynomial of degree 7 (error below r^8/8! ≈ 5e-9, so
// the result is within about 2 ulp of the true value); 2^k is built directly from the
// exponent bits. k is rounded with the 1.5·2^23 trick (adding it leaves k in the low
// mantissa bits), which needs no float-to-int conversion and so is defined even for NaN.
// Inputs below -87 give 0 (so -inf gives 0), inputs above 88 are clamped (exp(88) ≈ 1.65e38);
// NaN gives NaN.
#pragma once

#include <bit>
#include <cstdint>

#include "bg/kernels/muladd.h"

namespace bg {

inline float fast_exp(float x) {
  const float xc = x > 88.0f ? 88.0f : x;
  const float magic = 12582912.0f;                               // 1.5 · 2^23
  const float kf = (xc * 1.44269504088896341f + magic) - magic;  // round(x / ln 2)
  const float r = (xc - kf * 0.693145751953125f) - kf * 1.42860682030941723e-6f;
  float p =
      1.0f / 5040.0f;  // Horner's scheme, one fused multiply-add per step (bg/kernels/muladd.h)
  p = muladd(p, r, 1.0f / 720.0f);
  p = muladd(p, r, 1.0f / 120.0f);
  p = muladd(p, r, 1.0f / 24.0f);
  p = muladd(p, r, 1.0f / 6.0f);
  p = muladd(p, r, 0.5f);
  p = muladd(p, r, 1.0f);
  p = muladd(p, r, 1.0f);
  // 2^k from its bits: k + 127 in the exponent field (k >= -126 here, since x >= -87).
  // Unsigned arithmetic: wraps (defined) for the inputs the last line throws away.
  const uint32_t k_biased = std::bit_cast<uint32_t>(kf + magic) - 0x4B400000u + 127u;
  const float scale = std::bit_cast<float>(k_biased << 23);
  const float y = p * scale;
  return xc < -87.0f ? 0.0f : y;  // also -inf; NaN fails the test and stays NaN
}

}  // namespace bg
