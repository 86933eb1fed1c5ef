// Lesson 08, engine code: building a FusedMultiHeadAttention and loading a list of heads
// into it (engine/src/attention.cpp) — not an exercise.
#include <gtest/gtest.h>

#include "bg/attention.h"
#include "testing.h"

namespace bg {
namespace {

TEST(FusedModule, RegistersThreeFullSizeProjections) {
  FusedMultiHeadAttention fused(8, 2, 4);
  const auto params = fused.named_parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].first, "key.weight");
  EXPECT_EQ(params[1].first, "query.weight");
  EXPECT_EQ(params[2].first, "value.weight");
  for (const auto& [name, t] : params) EXPECT_EQ(t.shape(), (Shape{8, 8})) << name;
  EXPECT_EQ(fused.head_size(), 4);
  // The same parameter count as the list of heads.
  EXPECT_EQ(fused.num_parameters(), MultiHeadAttention(8, 2, 4).num_parameters());
}

TEST(FusedModule, LoadFromStacksEachHeadsWeightsIntoItsRows) {
  MultiHeadAttention mha(6, 3, 4);
  FusedMultiHeadAttention fused(6, 3, 4);
  fused.load_from(mha);
  for (int64_t h = 0; h < 3; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t c = 0; c < 6; ++c) {
        EXPECT_EQ(fused.key.weight.at({h * 2 + r, c}), head.key.weight.at({r, c}));
        EXPECT_EQ(fused.query.weight.at({h * 2 + r, c}), head.query.weight.at({r, c}));
        EXPECT_EQ(fused.value.weight.at({h * 2 + r, c}), head.value.weight.at({r, c}));
      }
  }
}

TEST(FusedModule, RejectsBadSizes) {
  EXPECT_BG_ERROR(FusedMultiHeadAttention(30, 4, 8), "n_embed 30", "n_head 4", "divisible");
  EXPECT_BG_ERROR(FusedMultiHeadAttention(8, 0, 8), "n_head 0");
  FusedMultiHeadAttention fused(8, 2, 4);
  EXPECT_BG_ERROR(fused.load_from(MultiHeadAttention(8, 4, 4)), "n_head 2", "n_head 4");
}

}  // namespace
}  // namespace bg
