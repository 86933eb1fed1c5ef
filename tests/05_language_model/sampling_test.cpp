// Lesson 05, exercise 6: multinomial sampling.
//   ctest --test-dir build -R '^exercises\.lesson05\.Multinomial\.' --output-on-failure
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "bg/data.h"
#include "testing.h"

namespace bg {
namespace {

TEST(Multinomial, IsTheInverseCdfOfOneUniform) {
  // The documented algorithm: u = uniform() · total, first running sum > u. A copy of the
  // generator predicts every draw.
  const std::vector<float> p{0.1f, 0.2f, 0.3f, 0.4f};
  Generator gen(3), copy(3);
  for (int i = 0; i < 200; ++i) {
    const double u = copy.uniform();
    const int64_t expected = u < 0.1 ? 0 : u < 0.3 ? 1 : u < 0.6 ? 2 : 3;
    // (values of u within float rounding of a boundary are skipped)
    const bool near =
        std::abs(u - 0.1) < 1e-6 || std::abs(u - 0.3) < 1e-6 || std::abs(u - 0.6) < 1e-6;
    const int64_t got = multinomial(p, gen);
    if (!near) {
      EXPECT_EQ(got, expected) << "draw " << i << ", u = " << u;
    }
  }
}

TEST(Multinomial, FollowsTheDistribution) {
  const std::vector<float> p{0.5f, 0.0f, 0.125f, 0.375f};
  Generator gen(11);
  std::vector<int> count(4, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++count[static_cast<size_t>(multinomial(p, gen))];
  EXPECT_EQ(count[1], 0);  // weight 0: never
  for (size_t k : {0u, 2u, 3u}) {
    // 5 standard deviations of a binomial count
    const double sd = std::sqrt(n * p[k] * (1 - p[k]));
    EXPECT_NEAR(count[k], n * p[k], 5 * sd) << "category " << k;
  }
}

TEST(Multinomial, EdgeCases) {
  Generator gen(5);
  const std::vector<float> one_hot{0, 0, 1, 0};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(multinomial(one_hot, gen), 2);
  const std::vector<float> last{0, 0, 0, 3};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(multinomial(last, gen), 3);
  const std::vector<float> first{2, 0, 0};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(multinomial(first, gen), 0);
  const std::vector<float> single{0.25f};
  EXPECT_EQ(multinomial(single, gen), 0);
}

TEST(Multinomial, NormalisesUnnormalisedWeights) {
  // weights 1, 2, 3, 4 draw exactly what 0.1, 0.2, 0.3, 0.4 draw from the same seed
  const std::vector<float> w{1, 2, 3, 4};
  const std::vector<float> p{0.1f, 0.2f, 0.3f, 0.4f};
  Generator g1(9), g2(9);
  int differ = 0;
  for (int i = 0; i < 500; ++i) differ += multinomial(w, g1) != multinomial(p, g2);
  EXPECT_LE(differ, 1);  // only a u within float rounding of a boundary could differ
}

TEST(Multinomial, UsesExactlyOneUniformPerDraw) {
  const std::vector<float> p{0.3f, 0.7f};
  Generator gen(21), copy(21);
  for (int i = 0; i < 10; ++i) (void)multinomial(p, gen);
  for (int i = 0; i < 10; ++i) (void)copy.uniform();
  EXPECT_EQ(gen.next_u32(), copy.next_u32());
}

TEST(Multinomial, RejectsBadWeights) {
  Generator gen(1);
  EXPECT_BG_ERROR(multinomial(std::vector<float>{}, gen), "empty");
  EXPECT_BG_ERROR(multinomial(std::vector<float>{0.5f, -0.1f}, gen), "weight 1", "-0.1");
  EXPECT_BG_ERROR(multinomial(std::vector<float>{0.0f, 0.0f}, gen), "zero");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_BG_ERROR(multinomial(std::vector<float>{nan, 1.0f}, gen), "weight 0", "nan");
  EXPECT_BG_ERROR(multinomial(std::vector<float>{1.0f, inf}, gen), "weight 1", "inf");
}

}  // namespace
}  // namespace bg
