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

#if defined(__AVX__) || defined(__SSE2__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace bg {

#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__)
inline constexpr bool kHardwareFma = true;
inline float muladd(float a, float b, float c) { return std::fma(a, b, c); }
#else
inline constexpr bool kHardwareFma = false;
inline float muladd(float a, float b, float c) { return a * b + c; }
#endif

// The same lane by lane on one vector register of floats, for the matrix product's register
// tile (engine/src/kernels/gemm.cpp). FloatLanes is the target's vector register (a GCC/clang
// vector type: + and * work lane by lane, v[l] is lane l); every lane of muladd(a, b, c) is
// exactly muladd(a[l], b[l], c[l]) above: one fused instruction where the target has FMA, a·b + c
// rounded twice where it has none, a loop over the scalar muladd anywhere else. lanes_of(x)
// is x in every lane.
#if defined(__AVX512F__)
using FloatLanes = __m512;
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) {
  return _mm512_fmadd_ps(a, b, c);
}
inline FloatLanes lanes_of(float x) { return _mm512_set1_ps(x); }
#elif defined(__AVX__) && defined(__FMA__)
using FloatLanes = __m256;
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) {
  return _mm256_fmadd_ps(a, b, c);
}
inline FloatLanes lanes_of(float x) { return _mm256_set1_ps(x); }
#elif defined(__AVX__)
using FloatLanes = __m256;
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) { return a * b + c; }
inline FloatLanes lanes_of(float x) { return _mm256_set1_ps(x); }
#elif defined(__aarch64__)
using FloatLanes = float32x4_t;
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) { return vfmaq_f32(c, a, b); }
inline FloatLanes lanes_of(float x) { return vdupq_n_f32(x); }
#elif defined(__SSE2__) && !defined(__FMA__)
using FloatLanes = __m128;
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) { return a * b + c; }
inline FloatLanes lanes_of(float x) { return _mm_set1_ps(x); }
#else
using FloatLanes = float __attribute__((vector_size(16)));
inline FloatLanes muladd(FloatLanes a, FloatLanes b, FloatLanes c) {
  for (int l = 0; l < 4; ++l) c[l] = muladd(a[l], b[l], c[l]);
  return c;
}
inline FloatLanes lanes_of(float x) { return FloatLanes{x, x, x, x}; }
#endif
inline constexpr int kFloatLanes = sizeof(FloatLanes) / sizeof(float);

}  // namespace bg
