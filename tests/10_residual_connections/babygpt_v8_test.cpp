// BabyGPT v8 (v7 + W^O (sa.proj) and a feed-forward C -> 4C -> C) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson10 -R BabyGPTV8
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v8 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v8.safetensors,
// made by tests/golden/gpt_golden.py --model v8. The parameters, in PyTorch's state_dict order:
// token_embedding_table.weight, position_embedding_table.weight, v6's names +
// blocks.<l>.sa.proj.{weight,bias}, blocks.<l>.ffwd.net.2.{weight,bias}, lm_head.{weight,bias}.

TEST(BabyGPTV8, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v8", 434456);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v8"));
}

TEST(BabyGPTV8, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v8"));
}

TEST(BabyGPTV8, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v8"), 4);
}

}  // namespace
}  // namespace bg
