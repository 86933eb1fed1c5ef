// Lesson 07, engine code: building a Head (engine/src/attention.cpp) — not an exercise.
#include <gtest/gtest.h>

#include "bg/attention.h"
#include "testing.h"

namespace bg {
namespace {

TEST(HeadModule, RegistersKeyQueryValueInPyTorchOrder) {
  Head head(8, 4, 6);
  const auto params = head.named_parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].first, "key.weight");
  EXPECT_EQ(params[1].first, "query.weight");
  EXPECT_EQ(params[2].first, "value.weight");
  for (const auto& [name, t] : params) {
    EXPECT_EQ(t.shape(), (Shape{4, 8})) << name;
    EXPECT_TRUE(t.requires_grad()) << name;
  }
  EXPECT_FALSE(head.key.bias.defined());
  EXPECT_EQ(head.num_parameters(), 3 * 4 * 8);
  EXPECT_EQ(head.head_size(), 4);
  EXPECT_EQ(head.block_size(), 6);
}

TEST(HeadModule, DrawsTheWeightsKeyThenQueryThenValue) {
  Generator g1(42), g2(42);
  Head head(8, 4, 6, g1);
  Linear k(8, 4, false, g2), q(8, 4, false, g2), v(8, 4, false, g2);
  EXPECT_EQ(head.key.weight.tolist(), k.weight.tolist());
  EXPECT_EQ(head.query.weight.tolist(), q.weight.tolist());
  EXPECT_EQ(head.value.weight.tolist(), v.weight.tolist());
}

TEST(HeadModule, RejectsSizesThatAreNotPositive) {
  EXPECT_BG_ERROR(Head(0, 4, 6), "n_embed 0");
  EXPECT_BG_ERROR(Head(8, -1, 6), "head_size -1");
  EXPECT_BG_ERROR(Head(8, 4, 0), "block_size 0");
}

}  // namespace
}  // namespace bg
