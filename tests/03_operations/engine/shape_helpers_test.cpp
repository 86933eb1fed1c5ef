// Engine code (not exercises) of bg/shape.h that the ops share: split_at, the (outer, n,
// inner) view of one dimension; broadcasts_to and broadcast_strides; and the broadcast walk
// for_each_broadcast_row. Built against the solutions only.
#include <array>
#include <vector>

#include "bg/shape.h"
#include "testing.h"

namespace {

using bg::DimSplit;
using bg::Shape;

void ExpectSplit(const DimSplit& s, int64_t dim, int64_t outer, int64_t n, int64_t inner) {
  EXPECT_EQ(s.dim, dim);
  EXPECT_EQ(s.outer, outer);
  EXPECT_EQ(s.n, n);
  EXPECT_EQ(s.inner, inner);
}

TEST(SplitAt, EveryDimOfA3DShape) {
  ExpectSplit(bg::split_at({2, 3, 4}, 0), 0, 1, 2, 12);
  ExpectSplit(bg::split_at({2, 3, 4}, 1), 1, 2, 3, 4);
  ExpectSplit(bg::split_at({2, 3, 4}, 2), 2, 6, 4, 1);
}

TEST(SplitAt, NegativeDimsCountFromTheEnd) {
  ExpectSplit(bg::split_at({2, 3, 4}, -1), 2, 6, 4, 1);
  ExpectSplit(bg::split_at({2, 3, 4}, -2), 1, 2, 3, 4);
  ExpectSplit(bg::split_at({2, 3, 4}, -3), 0, 1, 2, 12);
  ExpectSplit(bg::split_at({2, 3, 4, 5}, -2), 2, 6, 4, 5);
}

TEST(SplitAt, OneDimAndSizeOneShapes) {
  ExpectSplit(bg::split_at({5}, 0), 0, 1, 5, 1);
  ExpectSplit(bg::split_at({1}, -1), 0, 1, 1, 1);
  ExpectSplit(bg::split_at({1, 1, 1}, 1), 1, 1, 1, 1);
  ExpectSplit(bg::split_at({1, 7, 1}, 1), 1, 1, 7, 1);
}

TEST(SplitAt, ZeroSizedDims) {
  ExpectSplit(bg::split_at({2, 0, 3}, 1), 1, 2, 0, 3);  // the split dim is empty
  ExpectSplit(bg::split_at({2, 0, 3}, 2), 2, 0, 3, 1);  // an empty dim before it
  ExpectSplit(bg::split_at({2, 0, 3}, 0), 0, 1, 2, 0);  // an empty dim after it
}

TEST(SplitAt, ABadDimIsAnErrorNamingTheDimAndTheShape) {
  EXPECT_BG_ERROR(bg::split_at({2, 3}, 2), "dim 2", "[2, 3]");
  EXPECT_BG_ERROR(bg::split_at({2, 3}, -3), "dim -3", "[2, 3]");
  // A scalar has no dimension to split.
  EXPECT_BG_ERROR(bg::split_at({}, 0), "dim 0", "[]");
  EXPECT_BG_ERROR(bg::split_at({}, -1), "dim -1", "[]");
}

TEST(BroadcastsTo, EqualSizesOnesAndMissingLeadingDims) {
  EXPECT_TRUE(bg::broadcasts_to({2, 3}, {2, 3}));
  EXPECT_TRUE(bg::broadcasts_to({3}, {2, 3}));
  EXPECT_TRUE(bg::broadcasts_to({2, 1}, {2, 3}));
  EXPECT_TRUE(bg::broadcasts_to({}, {4, 5}));
  EXPECT_TRUE(bg::broadcasts_to({1, 1}, {0, 3}));
  EXPECT_TRUE(bg::broadcasts_to({}, {}));
  EXPECT_FALSE(bg::broadcasts_to({2}, {2, 3}));     // aligned at the LAST dim: 2 vs 3
  EXPECT_FALSE(bg::broadcasts_to({2, 3}, {3}));     // more dims than the target
  EXPECT_FALSE(bg::broadcasts_to({2, 3}, {1, 3}));  // only the source may be stretched
  EXPECT_FALSE(bg::broadcasts_to({0}, {3}));
}

TEST(BroadcastStrides, StretchedDimsGetStrideZero) {
  EXPECT_EQ(bg::broadcast_strides({2, 3}, {2, 3}), (Shape{3, 1}));
  EXPECT_EQ(bg::broadcast_strides({3}, {2, 3}), (Shape{0, 1}));
  EXPECT_EQ(bg::broadcast_strides({2, 1}, {2, 3}), (Shape{1, 0}));
  EXPECT_EQ(bg::broadcast_strides({4, 1}, {2, 4, 3}), (Shape{0, 1, 0}));
  EXPECT_EQ(bg::broadcast_strides({}, {2, 3}), (Shape{0, 0}));
  EXPECT_EQ(bg::broadcast_strides({}, {}), Shape{});
  EXPECT_EQ(bg::broadcast_strides({3, 1, 5}, {2, 3, 4, 5}), (Shape{0, 5, 0, 1}));
}

TEST(BroadcastStrides, AShapeThatDoesNotBroadcastIsAnErrorShowingBoth) {
  EXPECT_BG_ERROR(bg::broadcast_strides({2}, {2, 3}), "[2]", "[2, 3]");
  EXPECT_BG_ERROR(bg::broadcast_strides({2, 3, 4}, {3, 4}), "[2, 3, 4]", "[3, 4]");
}

// What the walk should give, computed the slow way: every position of `shape`, decoded into a
// multi-index, and the flat index of the element of each operand (shape `from`) it reads.
std::vector<int64_t> ReadsOf(const Shape& from, const Shape& shape) {
  int64_t total = 1;
  for (int64_t s : shape) total *= s;
  std::vector<int64_t> reads;
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, at = 0, stride = 1;
    for (size_t k = shape.size(); k-- > 0;) {
      const int64_t i = rest % shape[k];
      rest /= shape[k];
      const size_t pad = shape.size() - from.size();
      if (k >= pad) {
        const int64_t size = from[k - pad];
        if (size != 1) at += i * stride;
        stride *= size;
      }
    }
    reads.push_back(at);
  }
  return reads;
}

// Runs the walk over `shape` for operands of shapes a and b and records, per position, the
// flat index it was visited as and what it reads in a and in b.
struct Walked {
  std::vector<int64_t> positions, a, b;
};
Walked Walk(const Shape& a, const Shape& b, const Shape& shape) {
  Walked w;
  const std::array<Shape, 2> strides{bg::broadcast_strides(a, shape),
                                     bg::broadcast_strides(b, shape)};
  bg::for_each_broadcast_row(shape, strides,
                             [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                               for (int64_t j = 0; j < length; ++j) {
                                 w.positions.push_back(first + j);
                                 w.a.push_back(at[0] + j * step[0]);
                                 w.b.push_back(at[1] + j * step[1]);
                               }
                             });
  return w;
}

void ExpectWalk(const Shape& a, const Shape& b) {
  BG_TRACE("a " + bg::shape_str(a) + ", b " + bg::shape_str(b));
  const Shape shape = bg::broadcast_shapes(a, b);
  const Walked w = Walk(a, b, shape);
  std::vector<int64_t> in_order;
  for (int64_t i = 0; i < static_cast<int64_t>(w.positions.size()); ++i) in_order.push_back(i);
  EXPECT_EQ(w.positions, in_order);  // every position once, in row-major order
  EXPECT_EQ(w.a, ReadsOf(a, shape));
  EXPECT_EQ(w.b, ReadsOf(b, shape));
}

TEST(BroadcastWalk, SameShapesReadElementForElement) {
  ExpectWalk({2, 3}, {2, 3});
  ExpectWalk({2, 3, 4}, {2, 3, 4});
}

TEST(BroadcastWalk, ShapesWithOnes) {
  ExpectWalk({2, 1}, {1, 3});        // an outer product
  ExpectWalk({2, 3}, {2, 1});        // stretched along the last dim: step 0
  ExpectWalk({4, 1, 3}, {1, 5, 1});  // both stretched, in different dims
  ExpectWalk({1, 1, 1}, {2, 3, 4});
}

TEST(BroadcastWalk, DifferentRanks) {
  ExpectWalk({2, 3}, {3});
  ExpectWalk({5, 2, 3}, {2, 1});
  ExpectWalk({2, 3, 4, 5}, {4, 1});
  ExpectWalk({}, {3, 2});  // a scalar operand
}

TEST(BroadcastWalk, AScalarShapeIsOneRowOfOne) {
  const Walked w = Walk({}, {}, {});
  EXPECT_EQ(w.positions, (std::vector<int64_t>{0}));
  EXPECT_EQ(w.a, (std::vector<int64_t>{0}));
  EXPECT_EQ(w.b, (std::vector<int64_t>{0}));
}

TEST(BroadcastWalk, AZeroSizedDimVisitsNothing) {
  EXPECT_TRUE(Walk({2, 0, 3}, {3}, {2, 0, 3}).positions.empty());
  EXPECT_TRUE(Walk({0}, {1}, {0}).positions.empty());
  EXPECT_TRUE(Walk({2, 3, 0}, {1, 1}, {2, 3, 0}).positions.empty());
  EXPECT_TRUE(Walk({}, {0, 1}, {0, 1}).positions.empty());
}

}  // namespace
