// BabyGPT v9 (v8 + pre-norm LayerNorms ln1, ln2 and ln_final) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson11 -R BabyGPTV9
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v9 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v9.safetensors,
// made by tests/golden/gpt_golden.py --model v9. The parameters, in PyTorch's state_dict order:
// token_embedding_table.weight, position_embedding_table.weight, v8's names +
// blocks.<l>.ln1.{weight,bias}, blocks.<l>.ln2.{weight,bias}, ln_final.{weight,bias},
// lm_head.{weight,bias}.

TEST(BabyGPTV9, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v9", 434904);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v9"));
}

TEST(BabyGPTV9, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v9"));
}

TEST(BabyGPTV9, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v9"), 4);
}

}  // namespace
}  // namespace bg
