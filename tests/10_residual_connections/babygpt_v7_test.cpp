// BabyGPT v7 (2 residual blocks: x = x + sa(x); x = x + ffwd(x)) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson10 -R BabyGPTV7
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v7 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v7.safetensors,
// made by tests/golden/gpt_golden.py --model v7. The parameters, in PyTorch's state_dict order:
// token_embedding_table.weight, position_embedding_table.weight, the same names as v6,
// lm_head.{weight,bias}.

TEST(BabyGPTV7, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v7", 409400);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v7"));
}

TEST(BabyGPTV7, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v7"));
}

TEST(BabyGPTV7, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v7"), 4);
}

}  // namespace
}  // namespace bg
