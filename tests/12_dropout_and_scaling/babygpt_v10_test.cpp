// BabyGPT v10 (v9 + dropout; here with dropout off and in eval mode) against PyTorch.
//   ctest --test-dir build -L exercises -L lesson12 -R BabyGPTV10
#include <gtest/gtest.h>

#include <cmath>

#include <string>
#include <vector>

#include "bg/models.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

// PyTorch's loss, logits and gradients for the tiny v10 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers): tests/golden/data/gpt_v10.safetensors,
// made by tests/golden/gpt_golden.py --model v10 --dropout 0.2 --eval. The parameters, in PyTorch's
// state_dict order: token_embedding_table.weight, position_embedding_table.weight, the same names
// as v9 (dropout has no parameters), lm_head.{weight,bias}.

// The same weights with dropout 0.2 configured, in eval mode: dropout must be the identity, so
// the numbers are the same ones (gpt_golden.py made them so; --model v9 gives them too: v10 is v9
// with dropout layers, which have no parameters).
testing::Golden with_dropout_in_eval_mode() {
  testing::Golden g = testing::pytorch_golden("v10");
  g.dropout = 0.2f;
  g.eval = true;
  return g;
}

TEST(BabyGPTV10, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectCourseParameterCount("v10", 434904);  // gpt_golden.py --counts
  testing::ExpectPyTorchNames(testing::pytorch_golden("v10"));
  testing::ExpectPyTorchNames(with_dropout_in_eval_mode());
}

TEST(BabyGPTV10, LossAndEveryGradientMatchPyTorchWithDropoutOff) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v10"));
}

TEST(BabyGPTV10, InEvalModeDropoutChangesNothing) {
  testing::ExpectPyTorchValues(with_dropout_in_eval_mode());
}

TEST(BabyGPTV10, DropoutIsOnInTrainingModeOnly) {
  auto m = testing::golden_model("v10", 0.2f);  // a fresh module is in training mode
  const Batch b = testing::golden_batch();
  manual_seed(5);
  const float first = model_loss(*m, b).item();
  manual_seed(5);
  const float again = model_loss(*m, b).item();
  EXPECT_EQ(first, again);  // the same seed draws the same masks
  manual_seed(6);
  EXPECT_NE(model_loss(*m, b).item(), first);  // another seed, other masks
  EXPECT_GT(std::abs(first - testing::pytorch_golden("v10").loss), 1e-3);  // dropout is on
  m->eval();
  EXPECT_NEAR(model_loss(*m, b).item(), testing::pytorch_golden("v10").loss, 1e-5);  // and off
}

TEST(BabyGPTV10, AttentionMapsAreCausalDistributions) {
  auto m = testing::golden_model("v10", 0.2f);
  m->eval();  // dropout would zero some weights
  testing::ExpectCausalAttentionMaps(*m, 4);
}

}  // namespace
}  // namespace bg
