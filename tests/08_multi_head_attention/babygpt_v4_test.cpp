// BabyGPT v4 (multi-head attention, heads concatenated) against PyTorch.
//   ctest --test-dir build -R '^exercises\.lesson08\.BabyGPTV4\.' --output-on-failure
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// PyTorch's loss, logits and gradients for the tiny v4 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads): tests/golden/data/gpt_v4.safetensors, made by
// tests/golden/gpt_golden.py --model v4.

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v4"); }
using testing::golden_batch;

TEST(BabyGPTV4, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectPyTorchNames(testing::pytorch_golden("v4"));
}

TEST(BabyGPTV4, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v4"));
}

TEST(BabyGPTV4, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*golden_model(), 2);
}

}  // namespace
}  // namespace bg
