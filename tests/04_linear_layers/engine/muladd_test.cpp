// Same numbers with every compiler (bg/kernels/muladd.h, CMakeLists.txt): the build never fuses
// a·b + c on its own, and muladd fuses exactly when the target has an FMA instruction.
// (tools/same_numbers.sh then compares whole training runs of a g++ and a clang build.)
#include "bg/kernels/muladd.h"

#include <gtest/gtest.h>

#include <cmath>

#include "bg/kernels/exp.h"

namespace {

// (1 + 2^-12)² = 1 + 2^-11 + 2^-24 needs 25 bits: rounded to float (a tie, to even) it is
// 1 + 2^-11. So a·b + c with c = -(1 + 2^-11) is 0 as a separate multiply and add, and
// 2^-24 fused (rounded once, at the end).
volatile float va = 1.0f + 0x1p-12f, vb = 1.0f + 0x1p-12f, vc = -(1.0f + 0x1p-11f);

TEST(SameNumbers, TheCompilerDoesNotFuseMultiplyAdd) {
  const float a = va, b = vb, c = vc;
  const float x = a * b + c;  // with -ffp-contract=fast or =on an FMA target would fuse this
  EXPECT_EQ(x, 0.0f) << "a·b + c was fused: is -ffp-contract=off missing from the flags?";
  float t = a * b;  // g++'s default contracts even across statements
  t += c;
  EXPECT_EQ(t, 0.0f);
}

TEST(SameNumbers, MuladdFusesExactlyWhenTheTargetHasFma) {
  const float x = bg::muladd(va, vb, vc);
  if (bg::kHardwareFma) {
    EXPECT_EQ(x, 0x1p-24f);
  } else {
    EXPECT_EQ(x, 0.0f);
  }
}

TEST(SameNumbers, FastExpUsesMuladd) {
  // fast_exp's polynomial is Horner's scheme with muladd; recomputed here step by step, the
  // bits must agree exactly at a few points.
  for (float x : {-3.7f, -0.3f, 0.0f, 0.25f, 1.0f, 5.5f}) {
    const float kf = std::nearbyint(x * 1.44269504088896341f);
    const float r = (x - kf * 0.693145751953125f) - kf * 1.42860682030941723e-6f;
    float p = 1.0f / 5040.0f;
    for (float coefficient :
         {1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f}) {
      p = bg::muladd(p, r, coefficient);
    }
    EXPECT_EQ(bg::fast_exp(x), std::ldexp(p, static_cast<int>(kf))) << "x = " << x;
  }
}

}  // namespace
