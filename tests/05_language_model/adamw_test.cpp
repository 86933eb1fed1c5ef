// Lesson 05, exercise 5: AdamW.
//   ctest --test-dir build -R '^exercises\.lesson05\.AdamW\.' --output-on-failure
#include <gtest/gtest.h>

#include <vector>

#include "bg/optim.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// Golden values: tests/golden/data/adamw.safetensors, made by tests/golden/ops_golden.py adamw
// (torch.optim.AdamW):
//   p = torch.tensor([(i - 2) / 4 for i in range(5)], requires_grad=True)
//   g = torch.tensor([((3 * i) % 5 - 2) / 8 for i in range(5)])     # the last one is 0
//   opt = torch.optim.AdamW([p], lr=..., betas=..., eps=..., weight_decay=...)
//   5 times: p.grad = g.clone(); opt.step()     (p after step 1 and step 5: <run>.step1, .step5)
struct AdamWRun {
  Tensor p;
  AdamW opt;
  explicit AdamWRun(float lr, float b1 = 0.9f, float b2 = 0.999f, float eps = 1e-8f,
                    float wd = 0.01f)
      : p(tensor({-0.5f, -0.25f, 0.0f, 0.25f, 0.5f}, {5}, true)), opt({p}, lr, b1, b2, eps, wd) {}
  void step() {
    p.zero_grad();
    p.backward(tensor({-0.25f, 0.125f, -0.125f, 0.25f, 0.0f}));  // sets the fixed gradient
    opt.step();
  }
};

TEST(AdamW, DefaultsMatchPyTorch) {
  Tensor p = zeros({5}, true);
  AdamW opt({p});  // lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01
  EXPECT_FLOAT_EQ(opt.lr(), 1e-3f);
  const testing::GoldenFile& golden = testing::golden_file("adamw");
  AdamWRun r(1e-3f);
  r.step();
  EXPECT_TRUE(AllClose(r.p, golden.values("defaults.step1"), 1e-6, 0));
  for (int s = 1; s < 5; ++s) r.step();
  EXPECT_TRUE(AllClose(r.p, golden.values("defaults.step5"), 1e-6, 0));
}

TEST(AdamW, OtherHyperParametersMatchPyTorch) {
  const testing::GoldenFile& golden = testing::golden_file("adamw");
  AdamWRun r(0.1f, 0.8f, 0.99f, 1e-6f, 0.1f);
  r.step();
  EXPECT_TRUE(AllClose(r.p, golden.values("other.step1"), 1e-6, 0));
  for (int s = 1; s < 5; ++s) r.step();
  EXPECT_TRUE(AllClose(r.p, golden.values("other.step5"), 1e-6, 0));
}

TEST(AdamW, FirstStepMovesEachWeightByAboutLr) {
  // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g) whatever |g| is.
  Tensor p = zeros({3}, true);
  AdamW opt({p}, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f);
  p.backward(tensor({1000.0f, -0.001f, 0.0f}));
  opt.step();
  EXPECT_TRUE(AllClose(p, {-0.01f, 0.01f, 0.0f}, 1e-6, 1e-4));
}

TEST(AdamW, SkipsParametersWithoutGradientAndCountsStepsPerParameter) {
  Tensor a = tensor({1.0f}, {1}, true);
  Tensor b = tensor({1.0f}, {1}, true);
  AdamW opt({a, b}, 0.1f, 0.9f, 0.999f, 1e-8f, 0.5f);
  a.backward(tensor({1.0f}));
  opt.step();  // b has no gradient: not even weight decay touches it
  EXPECT_FLOAT_EQ(b.item(), 1.0f);
  // a: 1·(1 - 0.05) - 0.1·1/(1 + 1e-8)
  EXPECT_NEAR(a.item(), 0.85f, 1e-6);
  // b's first step is its own step 1 (bias corrections of t = 1), though a is at step 2
  b.backward(tensor({2.0f}));
  opt.step();
  EXPECT_NEAR(b.item(), 1.0f * 0.95f - 0.1f, 1e-6);
}

}  // namespace
}  // namespace bg
