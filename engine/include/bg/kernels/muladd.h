// a·b + c in the hot loops, rounded the same way by every compiler.
//
// A compiler may "contract" a·b + c into one fused multiply-add (FMA) instruction, which
// rounds once instead of twice. g++ does it across statements by default, clang only inside
// one expression, and so the same seed gave different low bits with the two compilers. The
// build turns contraction off everywhere (-ffp-contract=off, CMakeLists.txt); the few loops
// where FMA pays (the matrix-product kernel, the dot product, fast_exp's polynomial) ask for
// it here, explicitly, so every compiler computes exactly the same thing.
//
// Where the target has no FMA instruction (an x86-64 build without -march=native or
// -mfma), std::fma would be a slow library call; there muladd is a·b + c, rounded twice.
// So results are bit-identical across compilers and standard libraries for one target
// instruction set, and differ in the last bits between a target with FMA and one without.
#pragma once

#include <cmath>

namespace bg {

#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__)
inline constexpr bool kHardwareFma = true;
inline float muladd(float a, float b, float c) { return std::fma(a, b, c); }
#else
inline constexpr bool kHardwareFma = false;
inline float muladd(float a, float b, float c) { return a * b + c; }
#endif

}  // namespace bg
