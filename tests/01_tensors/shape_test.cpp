// Lesson 01, exercises 1 and 2: numel, contiguous_strides, flat_index.
#include <array>
#include <vector>

#include "bg/shape.h"
#include "bg/tensor.h"
#include "testing.h"

namespace bg {
namespace {

// ---- exercise 1 ----------------------------------------------------------------------------

TEST(Ex1NumelStrides, NumelIsTheProductOfTheSizes) {
  EXPECT_EQ(numel({2, 3, 4}), 24);
  EXPECT_EQ(numel({7}), 7);
  EXPECT_EQ(numel({1, 1, 5, 1}), 5);
  EXPECT_EQ(numel({100000, 3000}), 300000000);  // no 32-bit overflow
}

TEST(Ex1NumelStrides, ScalarHasOneElement) { EXPECT_EQ(numel({}), 1); }

TEST(Ex1NumelStrides, ZeroSizeDimensionMeansNoElements) {
  EXPECT_EQ(numel({0}), 0);
  EXPECT_EQ(numel({2, 0, 3}), 0);
  EXPECT_EQ(numel({5, 0}), 0);
}

TEST(Ex1NumelStrides, RowMajorStrides) {
  EXPECT_EQ(contiguous_strides({2, 3, 4}), (Shape{12, 4, 1}));
  EXPECT_EQ(contiguous_strides({5}), (Shape{1}));
  EXPECT_EQ(contiguous_strides({3, 2}), (Shape{2, 1}));
  EXPECT_EQ(contiguous_strides({2, 1, 3}), (Shape{3, 3, 1}));
  EXPECT_EQ(contiguous_strides({4, 3, 2, 5}), (Shape{30, 10, 5, 1}));
}

TEST(Ex1NumelStrides, ScalarHasNoStrides) { EXPECT_EQ(contiguous_strides({}), Shape{}); }

TEST(Ex1NumelStrides, StridesWithZeroSizeDimension) {
  // The contract: each stride is the product of the sizes after it, zeros included.
  // (PyTorch reports (3, 3, 1) here — it treats a 0 as 1 — but no element exists either way.)
  EXPECT_EQ(contiguous_strides({2, 0, 3}), (Shape{0, 3, 1}));
  EXPECT_EQ(contiguous_strides({0}), (Shape{1}));
}

TEST(Ex1NumelStrides, TensorsUseNumelForTheirSize) {
  const Tensor t(std::vector<float>(6, 1.0f), {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_BG_ERROR(Tensor(std::vector<float>(5, 1.0f), {2, 3}), "5 values", "[2, 3]");
}

// ---- exercise 2 ----------------------------------------------------------------------------

int64_t flat(const Shape& shape, std::vector<int64_t> index) { return flat_index(shape, index); }

TEST(Ex2FlatIndex, EveryElementOfA3DShape) {
  // Row-major order: the flat index counts 0, 1, 2, ... as the last index runs fastest.
  const Shape s{2, 3, 4};
  int64_t expected = 0;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(flat(s, {i, j, k}), expected++);
    }
  }
  EXPECT_EQ(flat({5}, {3}), 3);
  EXPECT_EQ(flat({3, 2}, {2, 1}), 5);
}

TEST(Ex2FlatIndex, ScalarHasIndexZero) { EXPECT_EQ(flat({}, {}), 0); }

TEST(Ex2FlatIndex, NegativeIndicesCountFromTheEnd) {
  EXPECT_EQ(flat({2, 3, 4}, {-1, -1, -1}), 23);
  EXPECT_EQ(flat({2, 3, 4}, {-2, 0, -4}), 0);
  EXPECT_EQ(flat({2, 3, 4}, {1, -2, 1}), 12 + 4 + 1);
  EXPECT_EQ(flat({5}, {-5}), 0);
}

TEST(Ex2FlatIndex, TensorAtReadsAndWritesThroughFlatIndex) {
  Tensor t({0, 1, 2, 3, 4, 5}, {2, 3});
  EXPECT_EQ(t.at({1, 0}), 3.0f);
  EXPECT_EQ(t.at({-1, -1}), 5.0f);
  t.at({0, 2}) = 42.0f;
  EXPECT_EQ(t.data()[2], 42.0f);
}

TEST(Ex2FlatIndex, WrongNumberOfIndices) {
  EXPECT_BG_ERROR(flat({2, 3}, {1}), "[1]", "[2, 3]");
  EXPECT_BG_ERROR(flat({2, 3}, {1, 2, 0}), "[1, 2, 0]", "[2, 3]");
  EXPECT_BG_ERROR(flat({}, {0}), "[0]", "[]");
}

TEST(Ex2FlatIndex, OutOfRange) {
  EXPECT_BG_ERROR(flat({2, 3}, {0, 3}), "[0, 3]", "[2, 3]");
  EXPECT_BG_ERROR(flat({2, 3}, {2, 0}), "[2, 0]", "[2, 3]");
  EXPECT_BG_ERROR(flat({2, 3}, {0, -4}), "[0, -4]", "[2, 3]");  // -4 + 3 is still negative
  EXPECT_BG_ERROR(flat({2, 3}, {-3, 0}), "[-3, 0]", "[2, 3]");
  EXPECT_BG_ERROR(flat({0}, {0}), "[0]", "[0]");  // an empty dimension has no valid index
}

}  // namespace
}  // namespace bg
