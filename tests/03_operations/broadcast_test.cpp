// Lesson 03, exercises 1–3: broadcast_shapes (suite BroadcastShapes), sum_to_shape (suite
// SumToShape) and broadcast_binary_forward (suite BroadcastForward).
//
// Golden values marked "PyTorch" were computed with torch 2.x, float32, e.g.
//   U = torch.tensor([[[1., 2., 3.]], [[-1., .5, 4.]]]); V = torch.tensor([[10.], [20.], [30.],
//   [-2.]]) torch.add(U, V).flatten().tolist() g = torch.arange(1., 25.).reshape(2, 3, 4);
//   g.sum(dim=(0, 2)).tolist()
// The others are small enough to check by hand.
#include <vector>

#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::BinaryOp;
using bg::Shape;
using bg::testing::AllClose;

// ---- exercise 1 ----------------------------------------------------------------------------

TEST(BroadcastShapes, EqualShapes) {
  EXPECT_EQ(bg::broadcast_shapes({2, 3}, {2, 3}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({5}, {5}), (Shape{5}));
}

TEST(BroadcastShapes, AlignsAtTheLastDimension) {
  EXPECT_EQ(bg::broadcast_shapes({2, 3}, {3}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({3}, {2, 3}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({4, 2, 3}, {2, 3}), (Shape{4, 2, 3}));
}

TEST(BroadcastShapes, StretchesOnesOnEitherSide) {
  EXPECT_EQ(bg::broadcast_shapes({2, 1}, {1, 3}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({1, 3}, {2, 1}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({4, 1, 5}, {3, 1}), (Shape{4, 3, 5}));
  EXPECT_EQ(bg::broadcast_shapes({2, 1, 3}, {4, 1}), (Shape{2, 4, 3}));
  EXPECT_EQ(bg::broadcast_shapes({1, 1}, {1}), (Shape{1, 1}));
}

TEST(BroadcastShapes, ScalarShape) {
  EXPECT_EQ(bg::broadcast_shapes({}, {2, 3}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({2, 3}, {}), (Shape{2, 3}));
  EXPECT_EQ(bg::broadcast_shapes({}, {}), (Shape{}));
  EXPECT_EQ(bg::broadcast_shapes({}, {1}), (Shape{1}));
}

TEST(BroadcastShapes, ZeroSizedDimensions) {
  // A 0 is a size like any other: it matches 0 and 1 and wins over 1 (NumPy and PyTorch).
  EXPECT_EQ(bg::broadcast_shapes({0, 3}, {1, 3}), (Shape{0, 3}));
  EXPECT_EQ(bg::broadcast_shapes({1}, {0}), (Shape{0}));
  EXPECT_EQ(bg::broadcast_shapes({0}, {}), (Shape{0}));
  EXPECT_BG_ERROR(bg::broadcast_shapes({0}, {2}), "[0]", "[2]");
}

TEST(BroadcastShapes, IncompatibleShapesShowBothShapes) {
  EXPECT_BG_ERROR(bg::broadcast_shapes({2, 3}, {4}), "[2, 3]", "[4]");
  EXPECT_BG_ERROR(bg::broadcast_shapes({2, 3}, {3, 2}), "[2, 3]", "[3, 2]");
  // (2) lines up with the LAST dimension of (2, 3): 2 vs 3 — it does not broadcast.
  EXPECT_BG_ERROR(bg::broadcast_shapes({2}, {2, 3}), "[2]", "[2, 3]");
  EXPECT_BG_ERROR(bg::broadcast_shapes({4, 2, 3}, {5, 1, 1}), "[4, 2, 3]", "[5, 1, 1]");
}

// ---- exercise 2 ----------------------------------------------------------------------------

// sum_to_shape into a fresh zero buffer.
std::vector<float> summed(const std::vector<float>& grad, const Shape& from, const Shape& to) {
  std::vector<float> out(static_cast<size_t>(bg::numel(to)), 0.0f);
  bg::sum_to_shape(grad, from, to, out);
  return out;
}

const std::vector<float> kG23 = {1, 2, 3, 4, 5, 6};  // (2, 3)

TEST(SumToShape, SameShapeCopies) {
  EXPECT_EQ(summed(kG23, {2, 3}, {2, 3}), kG23);
  EXPECT_EQ(summed({7}, {}, {}), std::vector<float>{7});
}

TEST(SumToShape, LeadingDimensionIsSummedAway) {
  EXPECT_EQ(summed(kG23, {2, 3}, {3}), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(summed(kG23, {2, 3}, {1, 3}), (std::vector<float>{5, 7, 9}));
}

TEST(SumToShape, StretchedOnesAreSummed) {
  EXPECT_EQ(summed(kG23, {2, 3}, {2, 1}), (std::vector<float>{6, 15}));
  EXPECT_EQ(summed(kG23, {2, 3}, {}), std::vector<float>{21});
  EXPECT_EQ(summed(kG23, {2, 3}, {1, 1}), std::vector<float>{21});
  EXPECT_EQ(summed(kG23, {2, 3}, {1}), std::vector<float>{21});
}

TEST(SumToShape, ThreeDimensionsMatchPyTorch) {
  std::vector<float> g(24);
  for (size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(i + 1);  // arange(1, 25)
  // PyTorch: g.sum(dim=(0, 2)) -> [68, 100, 132]; g.sum(dim=1, keepdim=True); g.sum(dim=(0, 1))
  EXPECT_EQ(summed(g, {2, 3, 4}, {3, 1}), (std::vector<float>{68, 100, 132}));
  EXPECT_EQ(summed(g, {2, 3, 4}, {2, 1, 4}), (std::vector<float>{15, 18, 21, 24, 51, 54, 57, 60}));
  EXPECT_EQ(summed(g, {2, 3, 4}, {4}), (std::vector<float>{66, 72, 78, 84}));
  EXPECT_EQ(summed(g, {2, 3, 4}, {1, 3, 1}), (std::vector<float>{68, 100, 132}));
}

TEST(SumToShape, AddsIntoOutInsteadOfOverwriting) {
  std::vector<float> out = {10, 20, 30};
  bg::sum_to_shape(kG23, {2, 3}, {3}, out);
  EXPECT_EQ(out, (std::vector<float>{15, 27, 39}));
  bg::sum_to_shape(kG23, {2, 3}, {3}, out);  // a second gradient accumulates as well
  EXPECT_EQ(out, (std::vector<float>{20, 34, 48}));
  std::vector<float> same = {1, 1, 1, 1, 1, 1};
  bg::sum_to_shape(kG23, {2, 3}, {2, 3}, same);
  EXPECT_EQ(same, (std::vector<float>{2, 3, 4, 5, 6, 7}));
}

TEST(SumToShape, EmptyGradientAddsNothing) {
  std::vector<float> out = {1, 2, 3};
  bg::sum_to_shape(std::vector<float>{}, {0, 3}, {3}, out);
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3}));
}

TEST(SumToShape, ShapeThatDoesNotBroadcastShowsBothShapes) {
  std::vector<float> out(6);
  EXPECT_BG_ERROR(bg::sum_to_shape(kG23, {2, 3}, {2}, std::span<float>(out).first(2)), "[2]",
                  "[2, 3]");
  EXPECT_BG_ERROR(bg::sum_to_shape(kG23, {2, 3}, {3, 2}, out), "[3, 2]", "[2, 3]");
  // More dimensions than the gradient: a (1, 2, 3) tensor never broadcasts to (2, 3).
  EXPECT_BG_ERROR(bg::sum_to_shape(kG23, {2, 3}, {1, 2, 3}, out), "[1, 2, 3]", "[2, 3]");
  // A size that only broadcasts the other way: (2, 3) does not broadcast to (2, 1).
  EXPECT_BG_ERROR(bg::sum_to_shape(std::vector<float>{1, 2}, {2, 1}, {2, 3}, out), "[2, 1]",
                  "[2, 3]");
}

// ---- exercise 3 ----------------------------------------------------------------------------

bg::Tensor t(std::vector<float> v, Shape s) { return bg::tensor(std::move(v), std::move(s)); }

// The operands of most tests (the same as in arithmetic_test.cpp).
bg::Tensor A() { return t({0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f}, {2, 3}); }
bg::Tensor B3() { return t({2.0f, -0.5f, 4.0f}, {3}); }

TEST(BroadcastForward, SameShapes) {
  const bg::Tensor b = t({1, 2, 3, 4, 5, 6}, {2, 3});
  const bg::Tensor sum = bg::broadcast_binary_forward(A(), b, BinaryOp::add);
  EXPECT_EQ(sum.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(sum, {1.5f, 1.0f, 5.0f, 5.5f, 5.25f, 5.25f}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), b, BinaryOp::sub),
                       {-0.5f, -3.0f, -1.0f, -2.5f, -4.75f, -6.75f}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), b, BinaryOp::mul),
                       {0.5f, -2.0f, 6.0f, 6.0f, 1.25f, -4.5f}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), b, BinaryOp::div),
                       {0.5f, -0.5f, 2.0f / 3.0f, 0.375f, 0.05f, -0.125f}));
}

TEST(BroadcastForward, RowVectorAgainstMatrix) {
  // (2, 3) ∘ (3): row j of b meets every row of a. PyTorch: torch.sub(A, B3), torch.div(A, B3)
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), B3(), BinaryOp::sub),
                       {-1.5f, -0.5f, -2.0f, -0.5f, 0.75f, -4.75f}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), B3(), BinaryOp::div),
                       {0.25f, 2.0f, 0.5f, 0.75f, -0.5f, -0.1875f}));
  // (3) ∘ (2, 3): the order of the operands matters for sub and div.
  const bg::Tensor r = bg::broadcast_binary_forward(B3(), A(), BinaryOp::sub);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(r, {1.5f, 0.5f, 2.0f, 0.5f, -0.75f, 4.75f}));
}

TEST(BroadcastForward, ColumnTimesRowIsAnOuterProduct) {
  const bg::Tensor col = t({2, -3}, {2, 1});
  const bg::Tensor row = t({1, 0.5f, -2}, {1, 3});
  const bg::Tensor r = bg::broadcast_binary_forward(col, row, BinaryOp::mul);
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(r, {2, 1, -4, -3, -1.5f, 6}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(row, col, BinaryOp::div),
                       {0.5f, 0.25f, -1, -1.0f / 3, -0.5f / 3, 2.0f / 3}));
}

TEST(BroadcastForward, ScalarOperands) {
  const bg::Tensor s = bg::scalar(2.5f);
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(s, A(), BinaryOp::div),
                       {5.0f, -2.5f, 1.25f, 2.5f / 1.5f, 10.0f, -2.5f / 0.75f}));
  EXPECT_TRUE(AllClose(bg::broadcast_binary_forward(A(), s, BinaryOp::sub),
                       {-2.0f, -3.5f, -0.5f, -1.0f, -2.25f, -3.25f}));
  const bg::Tensor ss = bg::broadcast_binary_forward(s, bg::scalar(-4.0f), BinaryOp::mul);
  EXPECT_EQ(ss.shape(), (Shape{}));
  EXPECT_FLOAT_EQ(ss.item(), -10.0f);
}

TEST(BroadcastForward, ThreeDimensionsMatchPyTorch) {
  // (2, 1, 3) ∘ (4, 1) -> (2, 4, 3): each operand is stretched along a different dim.
  const bg::Tensor u = t({1, 2, 3, -1, 0.5f, 4}, {2, 1, 3});
  const bg::Tensor v = t({10, 20, 30, -2}, {4, 1});
  const bg::Tensor sum = bg::broadcast_binary_forward(u, v, BinaryOp::add);
  EXPECT_EQ(sum.shape(), (Shape{2, 4, 3}));
  // PyTorch: torch.add(U, V) and torch.div(U, V), flattened
  EXPECT_TRUE(AllClose(sum, {11, 12,    13, 21, 22,    23, 31, 32,    33, -1, 0,     1,
                             9,  10.5f, 14, 19, 20.5f, 24, 29, 30.5f, 34, -3, -1.5f, 2}));
  EXPECT_TRUE(AllClose(
      bg::broadcast_binary_forward(u, v, BinaryOp::div),
      {0.100000001f,   0.200000003f,  0.300000012f, 0.0500000007f,  0.100000001f,  0.150000006f,
       0.0333333351f,  0.0666666701f, 0.100000001f, -0.5f,          -1.0f,         -1.5f,
       -0.100000001f,  0.0500000007f, 0.400000006f, -0.0500000007f, 0.0250000004f, 0.200000003f,
       -0.0333333351f, 0.0166666675f, 0.13333334f,  0.5f,           -0.25f,        -2.0f}));
}

TEST(BroadcastForward, ZeroSizedResult) {
  const bg::Tensor r = bg::broadcast_binary_forward(bg::zeros({0, 3}), B3(), BinaryOp::add);
  EXPECT_EQ(r.shape(), (Shape{0, 3}));
  EXPECT_EQ(r.numel(), 0);
}

TEST(BroadcastForward, ResultIsAPlainTensor) {
  const bg::Tensor a = bg::tensor({1, 2, 3}, {3}, /*requires_grad=*/true);
  const bg::Tensor r = bg::broadcast_binary_forward(a, B3(), BinaryOp::mul);
  EXPECT_TRUE(r.is_leaf());
  EXPECT_TRUE(AllClose(r, {2, -1, 12}));
}

TEST(BroadcastForward, IncompatibleShapesShowBothShapes) {
  EXPECT_BG_ERROR(bg::broadcast_binary_forward(A(), t({1, 2}, {2}), BinaryOp::add), "[2, 3]",
                  "[2]");
}

}  // namespace
