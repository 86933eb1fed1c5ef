// Lesson 01, exercise 4: to_string / operator<<.
// The strings for normal sizes are exactly what PyTorch prints (checked with str(torch.tensor(..))
// in PyTorch 2.x for the same values); summarised and special cases follow our contract.
#include <cmath>
#include <limits>
#include <sstream>

#include "bg/ops.h"
#include "bg/tensor.h"
#include "testing.h"

namespace bg {
namespace {

using ::bg::testing::DoesNotMention;
using ::bg::testing::Mentions;

TEST(Ex4Printing, Scalar) {
  EXPECT_EQ(to_string(scalar(3.5f)), "tensor(3.5000)");  // str(torch.tensor(3.5))
  EXPECT_EQ(to_string(scalar(-0.25f)), "tensor(-0.2500)");
}

TEST(Ex4Printing, OneDimensional) {
  EXPECT_EQ(to_string(tensor({0.5f, 2.0f})), "tensor([0.5000, 2.0000])");
  EXPECT_EQ(to_string(tensor({7.0f})), "tensor([7.0000])");
}

TEST(Ex4Printing, NegativesAndWideValuesAlignRight) {
  // str(torch.tensor([1.5, -2.25, 10.125]))
  EXPECT_EQ(to_string(tensor({1.5f, -2.25f, 10.125f})), "tensor([ 1.5000, -2.2500, 10.1250])");
}

TEST(Ex4Printing, TwoDimensional) {
  // str(torch.tensor([[1., -2.5], [3., 4.]]))
  EXPECT_EQ(to_string(tensor({1, -2.5f, 3, 4}, {2, 2})),
            "tensor([[ 1.0000, -2.5000],\n"
            "        [ 3.0000,  4.0000]])");
  EXPECT_EQ(to_string(tensor({1, 2, 3}, {3, 1})),
            "tensor([[1.0000],\n"
            "        [2.0000],\n"
            "        [3.0000]])");
}

TEST(Ex4Printing, ThreeDimensionalHasABlankLineBetweenMatrices) {
  // str(torch.arange(12.).reshape(2, 3, 2) * 0.5 - 1.25)
  std::vector<float> v;
  for (int i = 0; i < 12; ++i) v.push_back(static_cast<float>(i) * 0.5f - 1.25f);
  EXPECT_EQ(to_string(tensor(v, {2, 3, 2})),
            "tensor([[[-1.2500, -0.7500],\n"
            "         [-0.2500,  0.2500],\n"
            "         [ 0.7500,  1.2500]],\n"
            "\n"
            "        [[ 1.7500,  2.2500],\n"
            "         [ 2.7500,  3.2500],\n"
            "         [ 3.7500,  4.2500]]])");
}

TEST(Ex4Printing, FourDimensionalHasTwoBlankLines) {
  // PyTorch: str(torch.tensor([1., 2., 3., 4.]).reshape(2, 1, 1, 2)) has the same layout.
  EXPECT_EQ(to_string(tensor({1, 2, 3, 4}, {2, 1, 1, 2})),
            "tensor([[[[1.0000, 2.0000]]],\n"
            "\n"
            "\n"
            "        [[[3.0000, 4.0000]]]])");
}

TEST(Ex4Printing, RequiresGradSuffix) {
  // str(torch.tensor([0.5, 2.0], requires_grad=True))
  EXPECT_EQ(to_string(tensor({0.5f, 2.0f}, {2}, true)),
            "tensor([0.5000, 2.0000], requires_grad=True)");
  EXPECT_EQ(to_string(scalar(1.0f, true)), "tensor(1.0000, requires_grad=True)");
}

TEST(Ex4Printing, GradFnSuffixForOpResults) {
  const Tensor x = tensor({0.5f, 2.0f}, {2}, true);
  EXPECT_EQ(to_string(x * x), "tensor([0.2500, 4.0000], grad_fn=<mul>)");
  EXPECT_EQ(to_string(tensor({1.0f}) * tensor({2.0f})), "tensor([2.0000])");  // no graph
}

TEST(Ex4Printing, NanAndInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(to_string(tensor({std::nanf(""), inf, -inf, 1.0f})),
            "tensor([   nan,    inf,   -inf, 1.0000])");
}

TEST(Ex4Printing, EmptyAndUndefined) {
  EXPECT_EQ(to_string(zeros({0, 3})), "tensor([], size=[0, 3])");
  EXPECT_EQ(to_string(zeros({0})), "tensor([], size=[0])");
  EXPECT_EQ(to_string(Tensor()), "tensor(undefined)")
      << "and one more exercise call:" << to_string(scalar(0.0f));
}

TEST(Ex4Printing, StreamOperatorPrintsTheSameText) {
  std::ostringstream os;
  os << tensor({1.0f, -1.0f});
  EXPECT_EQ(os.str(), "tensor([ 1.0000, -1.0000])");
}

TEST(Ex4Printing, ThousandElementsAreNotSummarised) {
  const std::string s = to_string(arange(1000.0f));
  EXPECT_TRUE(DoesNotMention(s, "...", "the printed tensor"));
  EXPECT_TRUE(Mentions(s, " 500.0000, ", "the printed tensor"));
  EXPECT_EQ(s.substr(0, 27), "tensor([  0.0000,   1.0000,");
}

TEST(Ex4Printing, OverThousandElementsAreSummarised1D) {
  // The width counts only the values shown.
  EXPECT_EQ(to_string(arange(1001.0f)),
            "tensor([   0.0000,    1.0000,    2.0000, ...,  998.0000,  999.0000, 1000.0000])");
}

TEST(Ex4Printing, WidthCountsOnlyTheShownValues) {
  Tensor t = zeros({1001});
  t.data()[500] = -100.0f;  // hidden behind the "..."
  t.data()[1000] = -1.0f;
  EXPECT_EQ(to_string(t), "tensor([ 0.0000,  0.0000,  0.0000, ...,  0.0000,  0.0000, -1.0000])");
}

TEST(Ex4Printing, OverThousandElementsAreSummarised2D) {
  // 2 x 1000: both rows shown (2 <= 6), each row cut to 3 + 3 values.
  EXPECT_EQ(to_string(tensor(arange(2000.0f).tolist(), {2, 1000}) / 4.0f),
            "tensor([[  0.0000,   0.2500,   0.5000, ..., 249.2500, 249.5000, 249.7500],\n"
            "        [250.0000, 250.2500, 250.5000, ..., 499.2500, 499.5000, 499.7500]])");
  // 10 x 200: rows 0-2, a "..." line, rows 7-9.
  EXPECT_EQ(to_string(tensor(arange(2000.0f).tolist(), {10, 200})),
            "tensor([[   0.0000,    1.0000,    2.0000, ...,  197.0000,  198.0000,  199.0000],\n"
            "        [ 200.0000,  201.0000,  202.0000, ...,  397.0000,  398.0000,  399.0000],\n"
            "        [ 400.0000,  401.0000,  402.0000, ...,  597.0000,  598.0000,  599.0000],\n"
            "        ...,\n"
            "        [1400.0000, 1401.0000, 1402.0000, ..., 1597.0000, 1598.0000, 1599.0000],\n"
            "        [1600.0000, 1601.0000, 1602.0000, ..., 1797.0000, 1798.0000, 1799.0000],\n"
            "        [1800.0000, 1801.0000, 1802.0000, ..., 1997.0000, 1998.0000, 1999.0000]])");
}

TEST(Ex4Printing, ADimensionOfExactlySixIsShownWhole) {
  // 6 x 200 has 1200 values, so it is summarised, but a dimension is cut only when it holds
  // more than 3 + 3 entries: all 6 rows are shown (PyTorch: size > 2 * edgeitems).
  EXPECT_EQ(to_string(tensor(arange(1200.0f).tolist(), {6, 200})),
            "tensor([[   0.0000,    1.0000,    2.0000, ...,  197.0000,  198.0000,  199.0000],\n"
            "        [ 200.0000,  201.0000,  202.0000, ...,  397.0000,  398.0000,  399.0000],\n"
            "        [ 400.0000,  401.0000,  402.0000, ...,  597.0000,  598.0000,  599.0000],\n"
            "        [ 600.0000,  601.0000,  602.0000, ...,  797.0000,  798.0000,  799.0000],\n"
            "        [ 800.0000,  801.0000,  802.0000, ...,  997.0000,  998.0000,  999.0000],\n"
            "        [1000.0000, 1001.0000, 1002.0000, ..., 1197.0000, 1198.0000, 1199.0000]])");
  // 7 rows are one too many: rows 0-2, "...", rows 4-6.
  EXPECT_EQ(to_string(tensor(arange(1400.0f).tolist(), {7, 200})),
            "tensor([[   0.0000,    1.0000,    2.0000, ...,  197.0000,  198.0000,  199.0000],\n"
            "        [ 200.0000,  201.0000,  202.0000, ...,  397.0000,  398.0000,  399.0000],\n"
            "        [ 400.0000,  401.0000,  402.0000, ...,  597.0000,  598.0000,  599.0000],\n"
            "        ...,\n"
            "        [ 800.0000,  801.0000,  802.0000, ...,  997.0000,  998.0000,  999.0000],\n"
            "        [1000.0000, 1001.0000, 1002.0000, ..., 1197.0000, 1198.0000, 1199.0000],\n"
            "        [1200.0000, 1201.0000, 1202.0000, ..., 1397.0000, 1398.0000, 1399.0000]])");
  // and a last dimension of exactly 6: 200 x 6 shows all six columns of the rows it shows
  const std::string s = to_string(tensor(arange(1200.0f).tolist(), {200, 6}));
  EXPECT_EQ(s.substr(0, s.find('\n')),
            "tensor([[   0.0000,    1.0000,    2.0000,    3.0000,    4.0000,    5.0000],");
}

}  // namespace
}  // namespace bg
