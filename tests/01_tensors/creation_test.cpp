// Lesson 01, exercise 3: full and arange (zeros, ones, tensor and scalar sit on top of them).
#include <cmath>
#include <limits>

#include "bg/tensor.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

TEST(Ex3Creation, FullFillsEveryElement) {
  const Tensor t = full({2, 3}, 2.5f);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(t, {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, 0, 0));
  EXPECT_FALSE(t.requires_grad());
  EXPECT_TRUE(t.is_leaf());
}

TEST(Ex3Creation, FullRequiresGradWhenAsked) {
  EXPECT_TRUE(full({3}, 1.0f, true).requires_grad());
  EXPECT_TRUE(ones({2}, true).requires_grad());
}

TEST(Ex3Creation, FullScalarAndEmpty) {
  const Tensor s = full({}, -7.0f);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item(), -7.0f);
  const Tensor e = full({0, 4}, 1.0f);
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
  EXPECT_EQ(e.numel(), 0);
}

TEST(Ex3Creation, ZerosAndOnes) {
  EXPECT_TRUE(AllClose(zeros({2, 2}), {0, 0, 0, 0}, 0, 0));
  EXPECT_TRUE(AllClose(ones({3}), {1, 1, 1}, 0, 0));
}

TEST(Ex3Creation, FullRejectsNegativeSizes) {
  EXPECT_BG_ERROR(full({2, -1}, 0.0f), "negative", "[2, -1]");
}

TEST(Ex3Creation, ArangeIntegers) {
  const Tensor t = arange(5.0f);
  EXPECT_EQ(t.shape(), Shape{5});
  EXPECT_TRUE(AllClose(t, {0, 1, 2, 3, 4}, 0, 0));
  EXPECT_TRUE(AllClose(arange(2.0f, 6.0f), {2, 3, 4, 5}, 0, 0));
  EXPECT_TRUE(AllClose(arange(0.5f, 3.5f), {0.5f, 1.5f, 2.5f}, 0, 0));  // end excluded
}

// Golden values from PyTorch 2.x: torch.arange(start, end, step).tolist(), with the step
// given as the float32 our call receives (0.3f is 0.30000001192092896; Python's 0.3 is a
// double and would give 0.8999999761581421 as the last value instead).
TEST(Ex3Creation, ArangeFractionalStepCountsLikeTorch) {
  // torch.arange(0, 1, 0.3) -> 4 values: ceil((1 - 0) / 0.3) = ceil(3.33) = 4
  const Tensor t = arange(0.0f, 1.0f, 0.3f);
  EXPECT_EQ(t.shape(), Shape{4});
  EXPECT_TRUE(
      AllClose(t, {0.0f, 0.30000001192092896f, 0.6000000238418579f, 0.9000000357627869f}, 0, 0));
  // torch.arange(0, 1, 0.1).numel() == 10; torch.arange(1., 2., 0.3) has 4 values
  EXPECT_EQ(arange(0.0f, 1.0f, 0.1f).numel(), 10);
  EXPECT_TRUE(AllClose(arange(1.0f, 2.0f, 0.3f),
                       {1.0f, 1.2999999523162842f, 1.600000023841858f, 1.9000000953674316f}, 0, 0));
  EXPECT_TRUE(AllClose(arange(-1.0f, 1.0f, 0.25f),
                       {-1.0f, -0.75f, -0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f}, 0, 0));
}

// The number of values ceil((end - start) / step), in double and in float arithmetic.
int64_t count_in_double(float start, float end, float step) {
  return static_cast<int64_t>(std::ceil((static_cast<double>(end) - static_cast<double>(start)) /
                                        static_cast<double>(step)));
}
int64_t count_in_float(float start, float end, float step) {
  return static_cast<int64_t>(std::ceil((end - start) / step));
}

// The contract computes the count in double. For these arguments float arithmetic gives
// another count: 0.6f - 0.1f rounds to 0.5f exactly in float, and 0.5f / 0.1f to 5.0f, so
// ceil gives 5; in double the difference is 0.50000002… and the quotient 5.0000001…, so
// ceil gives 6 (the 6th value, 0.1f + 5 · 0.1f, is below 0.6f in double and rounds to 0.6f in
// float). 0.1f … 3.2f goes the other way: 31 in double, 32 in float.
// Catches: the count computed in float (or the difference taken in float, then divided).
TEST(Ex3Creation, ArangeCountsInDoubleNotInFloat) {
  const struct { float start, end, step; } cases[] = {{0.1f, 0.6f, 0.1f}, {0.1f, 3.2f, 0.1f}};
  for (const auto& c : cases) {
    const int64_t in_double = count_in_double(c.start, c.end, c.step);
    const int64_t in_float = count_in_float(c.start, c.end, c.step);
    ASSERT_NE(in_double, in_float) << "test set-up: float and double must disagree here";
    EXPECT_EQ(arange(c.start, c.end, c.step).numel(), in_double)
        << "arange(" << c.start << "f, " << c.end << "f, " << c.step << "f) must have "
        << "ceil((end - start) / step) values computed in double: " << in_double
        << " (in float arithmetic the count is " << in_float << ")";
  }
}

TEST(Ex3Creation, ArangeValuesAreComputedNotAccumulated) {
  // start + i * step, not repeated addition: 0.1f added 999 times drifts by ~1e-4.
  const Tensor t = arange(0.0f, 100.0f, 0.1f);
  EXPECT_EQ(t.numel(), 1000);
  // torch.arange(0., 100., 0.10000000149011612)[999] == 99.9000015258789
  EXPECT_EQ(t.data()[999], 99.9000015258789f);
}

TEST(Ex3Creation, ArangeNegativeStep) {
  // torch.arange(1, -1, -0.5) = [1.0, 0.5, 0.0, -0.5]; torch.arange(10, 0, -3.) = [10, 7, 4, 1]
  EXPECT_TRUE(AllClose(arange(1.0f, -1.0f, -0.5f), {1.0f, 0.5f, 0.0f, -0.5f}, 0, 0));
  EXPECT_TRUE(AllClose(arange(10.0f, 0.0f, -3.0f), {10, 7, 4, 1}, 0, 0));
}

TEST(Ex3Creation, ArangeEmptyRange) {
  EXPECT_EQ(arange(3.0f, 3.0f).shape(), Shape{0});
  // Like Python's range (PyTorch raises an error here instead): nothing lies between.
  EXPECT_EQ(arange(5.0f, 0.0f).numel(), 0);
  EXPECT_EQ(arange(0.0f, 5.0f, -1.0f).numel(), 0);
  EXPECT_EQ(arange(0.0f).numel(), 0);
}

TEST(Ex3Creation, ArangeRejectsZeroStep) {
  EXPECT_BG_ERROR(arange(0.0f, 1.0f, 0.0f), "step", "zero");
}

TEST(Ex3Creation, ArangeRejectsNonFiniteArguments) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_BG_ERROR(arange(0.0f, inf, 1.0f), "finite");
  EXPECT_BG_ERROR(arange(0.0f, 1.0f, std::nanf("")), "finite");
}

TEST(Ex3Creation, TensorAndScalarHelpers) {
  const Tensor t = tensor({1, 2, 3});
  EXPECT_EQ(t.shape(), Shape{3});
  const Tensor s = scalar(4.0f, true);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_TRUE(s.requires_grad());
  EXPECT_BG_ERROR(tensor({1, 2, 3}, {2, 2}), "3 values", "[2, 2]");
}

}  // namespace
}  // namespace bg
