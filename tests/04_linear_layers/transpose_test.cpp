// Lesson 04, exercise 1: transpose.
//   ctest --test-dir build -R '^exercises\.lesson04\.Transpose\.' --output-on-failure
#include <gtest/gtest.h>

#include <vector>

#include "bg/linalg.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;
using testing::GradOk;

Tensor iota(const Shape& shape) { return arange(static_cast<float>(numel(shape))).reshape(shape); }

TEST(Transpose, TwoDimensional) {
  const Tensor a = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor t = transpose(a, 0, 1);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_TRUE(AllClose(t, {1, 4, 2, 5, 3, 6}, 0, 0));
  EXPECT_TRUE(AllClose(a, {1, 2, 3, 4, 5, 6}, 0, 0));  // the input is untouched
}

TEST(Transpose, NegativeDimsCountFromTheEnd) {
  const Tensor a = iota({2, 3});
  EXPECT_TRUE(AllClose(transpose(a, -1, -2), transpose(a, 1, 0), 0, 0));
  EXPECT_TRUE(AllClose(transpose(a, 0, -1), {0, 3, 1, 4, 2, 5}, 0, 0));
  const Tensor b = iota({2, 3, 4});
  const Tensor t = transpose(b, -3, -1);
  EXPECT_EQ(t.shape(), (Shape{4, 3, 2}));
  EXPECT_TRUE(AllClose(t, transpose(b, 0, 2), 0, 0));
}

TEST(Transpose, SameDimIsACopy) {
  const Tensor a = iota({2, 3, 4});
  const Tensor t = transpose(a, 1, 1);
  EXPECT_EQ(t.shape(), a.shape());
  EXPECT_TRUE(AllClose(t, a, 0, 0));
}

TEST(Transpose, ThreeDimensionalEveryElement) {
  const Tensor a = iota({2, 3, 4});
  const Tensor t = transpose(a, 0, 2);  // (4, 3, 2)
  ASSERT_EQ(t.shape(), (Shape{4, 3, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(t.at({k, j, i}), a.at({i, j, k}));
  const Tensor u = transpose(a, 1, 2);  // (2, 4, 3): the usual "last two dims" transpose
  ASSERT_EQ(u.shape(), (Shape{2, 4, 3}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(u.at({i, k, j}), a.at({i, j, k}));
}

TEST(Transpose, FourDimensionalEveryElement) {
  const Tensor a = iota({2, 3, 4, 5});
  const Tensor t = transpose(a, 1, 3);  // (2, 5, 4, 3)
  ASSERT_EQ(t.shape(), (Shape{2, 5, 4, 3}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k)
        for (int64_t l = 0; l < 5; ++l) EXPECT_EQ(t.at({i, l, k, j}), a.at({i, j, k, l}));
  // The (B, T, h, d) -> (B, h, T, d) swap of lesson 08.
  const Tensor u = transpose(a, 1, 2);
  ASSERT_EQ(u.shape(), (Shape{2, 4, 3, 5}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k)
        for (int64_t l = 0; l < 5; ++l) EXPECT_EQ(u.at({i, k, j, l}), a.at({i, j, k, l}));
}

TEST(Transpose, TwiceIsTheIdentity) {
  const Tensor a = iota({3, 1, 4, 2});
  EXPECT_TRUE(AllClose(transpose(transpose(a, 0, 2), 0, 2), a, 0, 0));
  EXPECT_TRUE(AllClose(transpose(transpose(a, -1, 1), 1, -1), a, 0, 0));
}

TEST(Transpose, Gradcheck) {
  Generator gen(41);
  const Tensor a2 = randn({3, 5}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("transpose 2-D",
                     [](const std::vector<Tensor>& in) { return transpose(in[0], 0, 1); }, {a2}));
  const Tensor a3 = randn({2, 3, 4}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("transpose 3-D (0, 2)",
                     [](const std::vector<Tensor>& in) { return transpose(in[0], 0, 2); }, {a3}));
  const Tensor a4 = randn({2, 3, 4, 2}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("transpose 4-D (1, -2)",
                     [](const std::vector<Tensor>& in) { return transpose(in[0], 1, -2); }, {a4}));
}

TEST(Transpose, GradientIsTheTransposedUpstreamGradient) {
  const Tensor a = iota({2, 3}).detach().requires_grad_();
  const Tensor g = tensor({10, 20, 30, 40, 50, 60}, {3, 2});
  transpose(a, 0, 1).backward(g);
  EXPECT_TRUE(AllClose(a.grad(), {10, 30, 50, 20, 40, 60}, 0, 0));
}

TEST(Transpose, GradientsAccumulate) {
  Generator gen(42);
  const Tensor a = randn({4, 4}, gen).requires_grad_();
  // a used twice: a + aᵀ, its gradient is g + gᵀ.
  EXPECT_TRUE(GradOk("a + transpose(a)",
                     [](const std::vector<Tensor>& in) { return in[0] + transpose(in[0], 0, 1); },
                     {a}));
  // Two backward passes add up.
  const Tensor b = iota({2, 3}).detach().requires_grad_();
  const Tensor g = tensor({1, 2, 3, 4, 5, 6}, {3, 2});
  transpose(b, 1, 0).backward(g);
  transpose(b, 1, 0).backward(g);
  EXPECT_TRUE(AllClose(b.grad(), {2, 6, 10, 4, 8, 12}, 0, 0));
}

TEST(Transpose, BadDimsThrow) {
  const Tensor a = iota({2, 3});
  EXPECT_BG_ERROR(transpose(a, 0, 2), "2", "[2, 3]");
  EXPECT_BG_ERROR(transpose(a, -3, 0), "-3", "[2, 3]");
}

}  // namespace
}  // namespace bg
