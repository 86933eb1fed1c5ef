// bg/kernels/exp.h: the vectorisable exp behind the cross-entropy kernel.
#include "bg/kernels/exp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace bg {
namespace {

TEST(FastExp, IsWithinAFewUlpOfStdExp) {
  double worst = 0;
  for (float x = -87.0f; x <= 88.0f; x += 0.000731f) {
    const double e = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(fast_exp(x) - e) / e);
  }
  EXPECT_LT(worst, 2.5e-7);  // about 2 float ulp
  EXPECT_EQ(fast_exp(0.0f), 1.0f);
  EXPECT_NEAR(fast_exp(1.0f), 2.7182818f, 1e-6);
}

TEST(FastExp, HandlesTheEdges) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(fast_exp(-inf), 0.0f);
  EXPECT_EQ(fast_exp(-100.0f), 0.0f);
  EXPECT_EQ(fast_exp(-1e30f), 0.0f);
  EXPECT_TRUE(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isfinite(fast_exp(1000.0f)));  // clamped at exp(88)
  EXPECT_GT(fast_exp(88.0f), 1e38f);
}

}  // namespace
}  // namespace bg
