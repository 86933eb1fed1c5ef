// Lesson 01, exercise 5: Generator::uniform, Generator::normal, rand, randn.
//
// Golden values: computed by our solution AND by an independent Python reference of the
// documented algorithm (bg/random.h), written for this course:
//   PCG32 XSH RR with inc = (0x853c49e6748fea9b << 1) | 1, state = 0; step; state += seed; step
//   uniform = (next_u32() >> 8) * 2**-24
//   normal  = float32(sqrt(-2 * log(1 - u1)) * cos(2 * pi * u2))   (u1 first, then u2, double)
// That Python reference reproduces PCG's published demo output (seed 42, stream 54:
// 0xa15c02b7 0x7b47f409 0xba1d3330 ...), which is how we know it is the real PCG32.
#include <cmath>
#include <vector>

#include "bg/random.h"
#include "bg/tensor.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

TEST(Ex5Random, UniformFirstValuesSeed0) {
  Generator g(0);
  // next_u32 for seed 0: 631999511, 2600622721, 3561728662, 1555157422
  const std::vector<float> expected = {0.147148848f, 0.605504632f, 0.829279542f, 0.362088263f};
  for (float e : expected) EXPECT_EQ(g.uniform(), e);
}

TEST(Ex5Random, UniformFirstValuesSeed42) {
  Generator g(42);
  // next_u32 for seed 42: 404451080, 1061364998, 4258136646, 2556524668
  const std::vector<float> expected = {0.0941686034f, 0.247118294f, 0.99142468f, 0.595237255f};
  for (float e : expected) EXPECT_EQ(g.uniform(), e);
}

TEST(Ex5Random, UniformIsTheTop24BitsOfADraw) {
  Generator a(7);
  Generator b(7);
  for (int i = 0; i < 1000; ++i) {
    const uint32_t u = b.next_u32();
    EXPECT_EQ(a.uniform(), static_cast<float>(u >> 8) / 16777216.0f);
  }
}

TEST(Ex5Random, UniformRangeUsesUniform) {
  Generator g(0);
  EXPECT_FLOAT_EQ(g.uniform(-1.0f, 1.0f), -1.0f + 2.0f * 0.147148848f);
}

TEST(Ex5Random, NormalFirstValuesSeed0) {
  Generator g(0);
  const std::vector<float> expected = {-0.44471994f, -1.21744168f, -0.98783803f, 0.13631241f};
  for (float e : expected) EXPECT_NEAR(g.normal(), e, 1e-6);
}

TEST(Ex5Random, NormalFirstValuesSeed42) {
  Generator g(42);
  const std::vector<float> expected = {0.00805236585f, -2.54902387f, -0.766118526f, -0.448497593f};
  for (float e : expected) EXPECT_NEAR(g.normal(), e, 1e-6);
}

TEST(Ex5Random, NormalUsesTwoUniformsPerSample) {
  Generator a(3);
  Generator b(3);
  for (int i = 0; i < 100; ++i) (void)a.normal();
  for (int i = 0; i < 200; ++i) (void)b.uniform();
  EXPECT_EQ(a.uniform(), b.uniform());
}

TEST(Ex5Random, RandAndRandnFillInRowMajorOrder) {
  Generator g0(0);
  const Tensor u = rand({2, 2}, g0);
  EXPECT_EQ(u.shape(), (Shape{2, 2}));
  EXPECT_TRUE(AllClose(u, {0.147148848f, 0.605504632f, 0.829279542f, 0.362088263f}, 0, 0));
  EXPECT_FALSE(u.requires_grad());
  Generator g42(42);
  const Tensor n = randn({4}, g42);
  EXPECT_TRUE(AllClose(n, {0.00805236585f, -2.54902387f, -0.766118526f, -0.448497593f}, 1e-6, 0));
}

TEST(Ex5Random, ScalarAndEmptyShapes) {
  Generator g(0);
  EXPECT_EQ(rand({}, g).shape(), Shape{});
  EXPECT_EQ(randn({0, 5}, g).numel(), 0);
  EXPECT_EQ(rand({}, g).item(), 0.605504632f);  // the empty tensor drew nothing
}

TEST(Ex5Random, SameSeedSameTensor) {
  Generator a(123);
  Generator b(123);
  EXPECT_TRUE(AllClose(randn({3, 5}, a), randn({3, 5}, b), 0, 0));
  Generator c(124);
  Generator d(123);
  EXPECT_FALSE(AllClose(rand({8}, c), rand({8}, d), 0, 0));
}

TEST(Ex5Random, DefaultGeneratorFollowsManualSeed) {
  manual_seed(42);
  const Tensor a = rand({3});
  manual_seed(42);
  const Tensor b = rand({3});
  EXPECT_TRUE(AllClose(a, b, 0, 0));
  EXPECT_TRUE(AllClose(a, {0.0941686034f, 0.247118294f, 0.99142468f}, 0, 0));
}

// Statistics of 10^5 samples (deterministic: the seed is fixed). Tolerances are about 5
// standard errors, so a correct generator passes and a skewed one does not.
TEST(Ex5Random, RandStatistics) {
  Generator g(2024);
  const Tensor t = rand({100000}, g);
  double sum = 0, sq = 0, lo = 1, hi = 0;
  for (float x : t.data()) {
    sum += x;
    sq += static_cast<double>(x) * x;
    lo = std::min(lo, static_cast<double>(x));
    hi = std::max(hi, static_cast<double>(x));
  }
  const double mean = sum / 1e5;
  const double var = sq / 1e5 - mean * mean;
  EXPECT_NEAR(mean, 0.5, 0.005);        // se 0.0009
  EXPECT_NEAR(var, 1.0 / 12.0, 0.002);  // se 0.00024
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1.0 - 1e-3);
}

TEST(Ex5Random, RandnStatistics) {
  Generator g(2024);
  const Tensor t = randn({100000}, g);
  double sum = 0, sq = 0, within1 = 0, within2 = 0;
  for (float x : t.data()) {
    sum += x;
    sq += static_cast<double>(x) * x;
    within1 += std::abs(x) < 1.0f;
    within2 += std::abs(x) < 2.0f;
  }
  const double mean = sum / 1e5;
  const double sd = std::sqrt(sq / 1e5 - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.016);               // se 0.0032
  EXPECT_NEAR(sd, 1.0, 0.012);                 // se 0.0022
  EXPECT_NEAR(within1 / 1e5, 0.6827, 0.0075);  // P(|z| < 1), se 0.0015
  EXPECT_NEAR(within2 / 1e5, 0.9545, 0.0035);  // P(|z| < 2), se 0.0007
}

}  // namespace
}  // namespace bg
