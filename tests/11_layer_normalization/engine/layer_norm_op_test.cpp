// Lesson 11, engine code: the layer_norm op's checks and the LayerNorm module (not exercises;
// built against the solutions only).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bg/blocks.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using ::bg::testing::DoesNotMention;

// Every shape mistake names the shapes involved.
TEST(LayerNormOpChecks, RejectsShapesThatDoNotFit) {
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({4}), zeros({3})), "layer_norm", "[2, 3]", "[4]");
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({3}), zeros({2})), "layer_norm", "[2, 3]", "[2]");
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({1, 3}), zeros({3})), "[2, 3]", "[1, 3]");
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({3}), zeros({3, 1})), "[2, 3]", "[3, 1]");
  EXPECT_BG_ERROR(layer_norm(scalar(1.0f), ones({1}), zeros({1})), "[]");
  // The normalised dimension is the last one, not the first.
  EXPECT_BG_ERROR(layer_norm(zeros({3, 2}), ones({3}), zeros({3})), "[3, 2]", "[3]");
}

TEST(LayerNormOpChecks, RejectsANonPositiveEps) {
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({3}), zeros({3}), 0.0f), "eps");
  EXPECT_BG_ERROR(layer_norm(zeros({2, 3}), ones({3}), zeros({3}), -1e-5f), "eps");
  EXPECT_BG_ERROR(
      layer_norm(zeros({2, 3}), ones({3}), zeros({3}), std::numeric_limits<float>::quiet_NaN()),
      "eps");
}

// torch.nn.LayerNorm(C): weight ones, bias zeros, named "weight" and "bias".
TEST(LayerNormModule, StartsAsTheIdentityNormWithPyTorchNames) {
  LayerNorm ln(6);
  const auto params = ln.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "weight");
  EXPECT_EQ(params[1].first, "bias");
  EXPECT_EQ(ln.weight.tolist(), std::vector<float>(6, 1.0f));
  EXPECT_EQ(ln.bias.tolist(), std::vector<float>(6, 0.0f));
  EXPECT_TRUE(ln.weight.requires_grad() && ln.bias.requires_grad());
  // forward is layer_norm with eps 1e-5: a row [0, 2] has mean 1, variance 1.
  const Tensor y = ln(tensor({0, 2, 0, 2, 0, 2}, {1, 6}));
  const float expected = 1.0f / std::sqrt(1.0f + 1e-5f);
  for (int64_t c = 0; c < 6; ++c) EXPECT_FLOAT_EQ(y.at({0, c}), c % 2 ? expected : -expected);
  EXPECT_BG_ERROR(LayerNorm(0), "n_embed");
}

// A pre-norm block owns ln1 and ln2 after sa and ffwd, as the PyTorch reference registers them.
TEST(PreNormBlockModule, RegistersLn1AndLn2AfterTheSublayers) {
  BlockConfig c;
  c.n_embed = 8;
  c.n_head = 2;
  c.block_size = 4;
  c.kind = BlockKind::prenorm;
  c.projection = true;
  Block block(c);
  const auto params = block.named_parameters();
  ASSERT_GE(params.size(), 4u);
  const size_t n = params.size();
  EXPECT_EQ(params[n - 4].first, "ln1.weight");
  EXPECT_EQ(params[n - 3].first, "ln1.bias");
  EXPECT_EQ(params[n - 2].first, "ln2.weight");
  EXPECT_EQ(params[n - 1].first, "ln2.bias");
  // A residual block has no norms.
  c.kind = BlockKind::residual;
  Block plain(c);
  for (const auto& [name, p] : plain.named_parameters()) {
    EXPECT_TRUE(DoesNotMention(name, "ln", "a residual block's parameter name"));
  }
}

}  // namespace
}  // namespace bg
