// BabyGPT v8 and v9 with grouped-query attention (lesson 14, exercises 3-4): one key/value head
// for both heads of every block, against PyTorch.
//   ctest -L lesson14 -R BabyGPTGrouped
#include <gtest/gtest.h>

#include <string>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny models of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers) with n_kv_head 1:
// tests/golden/data/gpt_v8_kv1.safetensors and gpt_v9_kv1.safetensors, made by
// tests/golden/gpt_golden.py --model v8 --n-kv-head 1 (and v9). Every block's attention is
// grouped-query attention, named as its PyTorch twin names it: blocks.<l>.sa.key.weight (4, 8),
// blocks.<l>.sa.query.weight (8, 8), blocks.<l>.sa.value.weight (4, 8), blocks.<l>.sa.proj.weight,
// blocks.<l>.sa.proj.bias, in that order (without n_kv_head, blocks.<l>.sa.heads.<h>.…).

TEST(BabyGPTGrouped, ParametersAreNamedAsPyTorchsStateDict) {
  for (const char* version : {"v8", "v9"}) {
    BG_TRACE(version);
    testing::ExpectPyTorchNames(testing::pytorch_golden(version, 1));
  }
}

TEST(BabyGPTGrouped, V8LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v8", 1));
}

TEST(BabyGPTGrouped, V9LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v9", 1));
}

TEST(BabyGPTGrouped, AttentionMapsAreCausalDistributions) {
  // one map per query head: 2 layers of 2 heads, although each layer has 1 key/value head
  testing::ExpectCausalAttentionMaps(*testing::golden_model("v9", 0.0f, 1), 4);
}

}  // namespace
}  // namespace bg
