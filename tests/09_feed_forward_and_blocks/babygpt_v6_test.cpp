// BabyGPT v6 (2 blocks of ffwd(sa(x)), no residual) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson09 -R BabyGPTV6
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v6 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v6.safetensors,
// made by tests/golden/gpt_golden.py --model v6. The parameters, in PyTorch's state_dict order:
// token_embedding_table.weight, position_embedding_table.weight,
// blocks.<l>.sa.heads.<h>.{key,query,value}.weight, blocks.<l>.ffwd.net.0.{weight,bias},
// lm_head.{weight,bias}.

TEST(BabyGPTV6, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v6", 409400);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v6"));
}

TEST(BabyGPTV6, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v6"));
}

TEST(BabyGPTV6, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v6"), 4);
}

}  // namespace
}  // namespace bg
