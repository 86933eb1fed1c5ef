// Lesson 03, engine code (not exercises): reshape, the scalar forms, neg and the operators
// of engine/src/ops.cpp. Built against the solutions only.
#include <vector>

#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::Shape;
using bg::Tensor;
using bg::testing::AllClose;
using bg::testing::GradOk;

TEST(OpsEngine, ReshapeKeepsTheValuesInOrder) {
  const Tensor a = bg::tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor r = bg::reshape(a, {3, 2});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.tolist(), a.tolist());
  EXPECT_EQ(bg::reshape(a, {-1}).shape(), (Shape{6}));
  EXPECT_EQ(bg::reshape(a, {2, -1, 1}).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(bg::reshape(bg::tensor({7}, {1, 1}), {}).shape(), Shape{});
}

TEST(OpsEngine, ReshapeMismatchShowsBothShapes) {
  const Tensor a = bg::tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_BG_ERROR(bg::reshape(a, {4, 2}), "[2, 3]", "[4, 2]");
  EXPECT_BG_ERROR(bg::reshape(a, {4, -1}), "[2, 3]", "[4, -1]");
  EXPECT_BG_ERROR(bg::reshape(a, {-1, -1}), "[-1, -1]");
  EXPECT_BG_ERROR(bg::reshape(a, {-2, 3}), "[-2, 3]");
}

TEST(OpsEngine, ReshapeGradient) {
  EXPECT_TRUE(GradOk("reshape",
                     [](const std::vector<Tensor>& x) {
                       return bg::reshape(x[0], {3, 2}) * bg::tensor({1, 2, 3, 4, 5, 6}, {3, 2});
                     },
                     {bg::tensor({1, 2, 3, 4, 5, 6}, {2, 3}, true)}));
}

TEST(OpsEngine, ScalarFormsAndOperators) {
  const Tensor a = bg::tensor({1, -2, 4}, {3}, true);
  EXPECT_TRUE(AllClose(a + 1.0f, {2, -1, 5}));
  EXPECT_TRUE(AllClose(a - 1.0f, {0, -3, 3}));
  EXPECT_TRUE(AllClose(a * 2.0f, {2, -4, 8}));
  EXPECT_TRUE(AllClose(a / 4.0f, {0.25f, -0.5f, 1}));
  EXPECT_TRUE(AllClose(-a, {-1, 2, -4}));
  EXPECT_TRUE(AllClose(1.0f - a, {0, 3, -3}));
  EXPECT_TRUE(AllClose(2.0f / a, {2, -1, 0.5f}));
  EXPECT_TRUE(AllClose(3.0f * a, {3, -6, 12}));
  const std::vector<std::pair<const char*, Tensor (*)(const Tensor&)>> fs = {
      {"x + 1", [](const Tensor& x) { return x + 1.0f; }},
      {"x - 1", [](const Tensor& x) { return x - 1.0f; }},
      {"x * 3", [](const Tensor& x) { return x * 3.0f; }},
      {"x / 4", [](const Tensor& x) { return x / 4.0f; }},
      {"-x", [](const Tensor& x) { return -x; }},
      {"2 - x", [](const Tensor& x) { return 2.0f - x; }},
      {"2 / x", [](const Tensor& x) { return 2.0f / x; }},
  };
  for (const auto& named : fs) {
    // (named.second, not a structured binding: clang 14 cannot capture those in a lambda.)
    const auto f = named.second;
    EXPECT_TRUE(GradOk(named.first, [f](const std::vector<Tensor>& x) { return f(x[0]); }, {a}));
  }
}

}  // namespace
