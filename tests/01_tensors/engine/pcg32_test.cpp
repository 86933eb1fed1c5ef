// The engine's PCG32 generator (engine/src/random.cpp — not an exercise, so tested against
// the solutions only). Golden values from an independent Python reference of the algorithm
// in bg/random.h (see tests/01_tensors/random_test.cpp for its essence), which reproduces
// PCG's published demo output.
#include <vector>

#include "bg/error.h"
#include "bg/random.h"
#include "testing.h"

namespace bg {
namespace {

TEST(EnginePcg32, FirstDrawsSeed0) {
  Generator g(0);
  for (uint32_t e : {631999511u, 2600622721u, 3561728662u, 1555157422u}) EXPECT_EQ(g.next_u32(), e);
}

TEST(EnginePcg32, FirstDrawsSeed42) {
  Generator g(42);
  for (uint32_t e : {404451080u, 1061364998u, 4258136646u, 2556524668u}) {
    EXPECT_EQ(g.next_u32(), e);
  }
}

TEST(EnginePcg32, ManualSeedRestarts) {
  Generator g(5);
  const uint32_t first = g.next_u32();
  (void)g.next_u32();
  g.manual_seed(5);
  EXPECT_EQ(g.next_u32(), first);
}

TEST(EnginePcg32, RandintGolden) {
  Generator g0(0);
  for (uint64_t e : {1, 6, 8, 3, 3, 4, 6, 2}) EXPECT_EQ(g0.randint(10), e);
  Generator g42(42);
  for (uint64_t e : {0, 2, 9, 5, 2, 5, 3, 3}) EXPECT_EQ(g42.randint(10), e);
  Generator v(0);  // the size of the ci-poetry vocabulary
  for (uint64_t e : {898, 3696, 5061, 2210}) EXPECT_EQ(v.randint(6104), e);
}

TEST(EnginePcg32, RandintStaysInRangeAndCoversIt) {
  Generator g(9);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t r = g.randint(7);
    ASSERT_LT(r, 7u);
    ++seen[r];
  }
  for (int c : seen) EXPECT_NEAR(c, 1000, 150);
  EXPECT_EQ(g.randint(1), 0u);
}

TEST(EnginePcg32, RandintZeroIsAnError) {
  Generator g(0);
  EXPECT_BG_ERROR(g.randint(0), "randint", "positive");
}

}  // namespace
}  // namespace bg
