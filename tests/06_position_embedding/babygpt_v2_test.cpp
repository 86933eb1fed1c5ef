// BabyGPT v2 (token + position embedding) against PyTorch.
//   ctest --test-dir build -R '^exercises\.lesson06\.BabyGPTV2\.' --output-on-failure
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/models.h"
#include "bg/nn_ops.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// PyTorch's loss, logits and gradients for the tiny v2 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8): tests/golden/data/gpt_v2.safetensors, made by
// tests/golden/gpt_golden.py --model v2.

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v2"); }
using testing::golden_batch;

TEST(BabyGPTV2, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectPyTorchNames(testing::pytorch_golden("v2"));
}

TEST(BabyGPTV2, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v2"));
}

TEST(BabyGPTV2, PositionChangesTheLogits) {
  // the same token at different positions now gives different logits
  auto m = golden_model();
  const std::vector<int32_t> a{3, 3, 3, 3};
  Tensor y = m->forward(a, 1, 4);
  int differ = 0;
  for (int64_t v = 0; v < 11; ++v) differ += y.at({0, 0, v}) != y.at({0, 1, v});
  EXPECT_GT(differ, 0);
  // a shorter sequence uses the first rows of the position table: same logits as the prefix
  const std::vector<int32_t> two{3, 3};
  Tensor z = m->forward(two, 1, 2);
  for (int64_t v = 0; v < 11; ++v) EXPECT_EQ(z.at({0, 1, v}), y.at({0, 1, v}));
}

TEST(BabyGPTV2, RejectsSequencesLongerThanTheBlock) {
  auto m = golden_model();
  const std::vector<int32_t> five{1, 2, 3, 4, 5};
  EXPECT_BG_ERROR(m->forward(five, 1, 5), "T = 5", "block_size 4");
  // what generation does instead: crop to the last block_size tokens
  const std::vector<int32_t> cropped = crop_context(five, 4);
  EXPECT_EQ(m->forward(cropped, 1, 4).shape(), (Shape{1, 4, 11}));
}

TEST(BabyGPTV2, GeneratesFromAContextLongerThanTheBlock) {
  auto m = golden_model();
  SampleOptions o;
  o.max_new_tokens = 10;
  Generator gen(4);
  const std::vector<int32_t> ctx{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int32_t> out = generate(*m, ctx, o, gen);
  ASSERT_EQ(out.size(), 19u);
  EXPECT_TRUE(std::equal(ctx.begin(), ctx.end(), out.begin()));
  for (int32_t t : out) EXPECT_TRUE(t >= 0 && t < 11);
}

}  // namespace
}  // namespace bg
