// BabyGPT v3 (one causal self-attention head) against PyTorch.
//   ctest --test-dir build -R '^exercises\.lesson07\.BabyGPTV3\.' --output-on-failure
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

// PyTorch's loss, logits and gradients for the tiny v3 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8): tests/golden/data/gpt_v3.safetensors, made by
// tests/golden/gpt_golden.py --model v3.

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v3"); }
using testing::golden_batch;

TEST(BabyGPTV3, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectPyTorchNames(testing::pytorch_golden("v3"));
}

TEST(BabyGPTV3, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v3"));
}

TEST(BabyGPTV3, AttentionMapsAreCausalDistributions) {
  testing::ExpectCausalAttentionMaps(*golden_model(), 1);
}

}  // namespace
}  // namespace bg
