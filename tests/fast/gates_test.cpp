// The fast engine honours lesson 14's head gates: with heads removed, or gates between 0 and 1,
// it computes what the lessons' modules compute, and the same gradients for the gates.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/fast/fast_model.h"
#include "bg/head_study.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;

TEST(FastGates, TheFastEngineComputesTheGatedModel) {
  for (const char* version : {"v8", "v9", "v10", "v11"}) {
    BG_TRACE(version);
    ModelConfig c;
    c.model = version;
    c.vocab_size = 11;
    c.block_size = 5;
    c.n_embed = 12;
    c.n_head = 3;
    c.n_layer = 2;
    Generator gen(17);
    auto model = make_model(c, gen);
    model->eval();
    const std::vector<int32_t> idx{1, 4, 2, 8, 5, 7, 10, 0, 3, 6};  // (2, 5)
    const std::vector<HeadProjection*> layers = head_projections(*model);
    ASSERT_EQ(layers.size(), 2u);
    Tensor g0 = tensor({1.0f, 0.0f, 0.25f}, {3}).requires_grad_();
    Tensor g1 = tensor({0.5f, 1.0f, 0.0f}, {3}).requires_grad_();
    layers[0]->set_gates(g0);
    layers[1]->set_gates(g1);
    const Tensor own = model->features(idx, 2, 5);
    sum(mul(own, own)).backward();
    const std::vector<float> own_g0 = g0.grad().tolist(), own_g1 = g1.grad().tolist();
    g0.zero_grad();
    g1.zero_grad();
    const Tensor fast = fast::features(*model, idx, 2, 5);
    EXPECT_TRUE(AllClose(fast, own, 1e-5, 1e-5));
    sum(mul(fast, fast)).backward();
    EXPECT_TRUE(AllClose(g0.grad(), own_g0, 1e-4, 1e-4));
    EXPECT_TRUE(AllClose(g1.grad(), own_g1, 1e-4, 1e-4));
  }
}

}  // namespace
}  // namespace bg
