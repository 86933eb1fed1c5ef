// BabyGPT v5 (multi-head attention, then a feed-forward Linear(C, C) + ReLU) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson09 -R BabyGPTV5
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v5 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v5.safetensors,
// made by tests/golden/gpt_golden.py --model v5. The parameters, in PyTorch's state_dict order:
// token_embedding_table.weight, position_embedding_table.weight,
// sa_heads.heads.<h>.{key,query,value}.weight, then ffwd.net.0.{weight,bias},
// lm_head.{weight,bias}.

TEST(BabyGPTV5, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v5", 401144);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v5"));
}

TEST(BabyGPTV5, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v5"));
}

TEST(BabyGPTV5, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v5"), 2);
}

}  // namespace
}  // namespace bg
