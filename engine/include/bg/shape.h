// Shapes and the index arithmetic of contiguous row-major storage.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bg {

// A tensor's shape: the size of each dimension, outermost first. {} is a scalar.
using Shape = std::vector<int64_t>;

// "[2, 3]" — how shapes appear in every error message.
std::string shape_str(const Shape& shape);

// A dimension argument that may be negative (-1 is the last dim) turned into 0..ndim-1.
// Throws bg::Error naming the dim and the shape when it is out of range.
int64_t normalize_dim(int64_t dim, const Shape& shape);

// Throws bg::Error if any size is negative.
void check_shape(const Shape& shape);

// ---- One dimension split as (outer, n, inner) ---------------------------------------------
// An op that works along one dimension (reductions, softmax, log_softmax, narrow, concat)
// views a contiguous tensor as three dimensions: outer = the product of the sizes before
// `dim`, n = the size of `dim`, inner = the product of the sizes after it. Element (o, j, i)
// sits at (o * n + j) * inner + i; the n elements with the same (o, i) lie `inner` apart.
//   split_at({2, 3, 4}, 1) == {.dim = 1, .outer = 2, .n = 3, .inner = 4}
//   split_at({2, 3, 4}, -1) == {.dim = 2, .outer = 6, .n = 4, .inner = 1}
struct DimSplit {
  int64_t dim = 0;  // the dimension, normalised to 0..ndim-1
  int64_t outer = 1, n = 1, inner = 1;
};
// `dim` may be negative; throws bg::Error like normalize_dim when it is out of range (every
// dim is, for a scalar).
DimSplit split_at(const Shape& shape, int64_t dim);

// ---- Reading a tensor as if it were broadcast ---------------------------------------------
// Whether a tensor of shape `from` broadcasts to exactly `to`: `from` has at most to's
// number of dims and, aligned at the last dim, each of its sizes equals to's or is 1.
bool broadcasts_to(const Shape& from, const Shape& to);

// The strides (to.size() of them, in elements) with which a contiguous tensor of shape
// `from` is read as if it had the broadcast shape `to`: the row-major strides of `from`
// padded on the left with 1s, and 0 along every dim it is stretched in, so that moving
// along that dim does not move in memory.
//   broadcast_strides({3}, {2, 3}) == {0, 1};   broadcast_strides({2, 1}, {2, 3}) == {1, 0}
// Throws bg::Error showing both shapes when `from` does not broadcast to `to`.
Shape broadcast_strides(const Shape& from, const Shape& to);

// ---- Lesson 01, exercise 1 ---------------------------------------------------------------
// The number of elements: the product of the sizes (1 for a scalar).
int64_t numel(const Shape& shape);
// Row-major (C order) strides, in elements: the last dimension has stride 1 and each
// earlier one the product of the sizes after it. contiguous_strides({2, 3, 4}) == {12, 4, 1}.
Shape contiguous_strides(const Shape& shape);

// ---- Lesson 01, exercise 2 ---------------------------------------------------------------
// The position in row-major storage of the element at `index` (one entry per dim).
// Negative entries count from the end, as in Python. Throws bg::Error when the index has
// the wrong length or an entry is out of range (the message shows the index and the shape).
int64_t flat_index(const Shape& shape, std::span<const int64_t> index);

// ---- Lesson 03, exercise 1 ---------------------------------------------------------------
// NumPy broadcasting: align the shapes at their last dimension; each pair of sizes must be
// equal or one of them 1; the result takes the larger. Throws bg::Error showing both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// ---- The broadcast walk (engine code, not an exercise) ------------------------------------
// The one loop behind every op that reads broadcast tensors (the
// broadcasting binary ops, sum_to_shape, masked_fill, matmul's batch dims). It visits the
// positions of `shape` in row-major order one row (the last dim) at a time, turning an
// odometer over the dims before the last and keeping the position in every operand in
// step, and calls
//   row(first, length, at, step)
// where `first` is the flat index of the row's first position, `length` the row's length,
// at[k] the flat index in operand k of the element that the first position reads, and
// step[k] how far operand k moves per position along the row (its last stride: 0 when it is
// stretched along the last dim). strides[k] is broadcast_strides(operand k's shape, shape).
// A scalar `shape` is one row of length 1; a shape with a 0 in it has no rows.
template <size_t K, class Row>
void for_each_broadcast_row(const Shape& shape, const std::array<Shape, K>& strides, Row&& row) {
  const size_t nd = shape.size();
  std::array<int64_t, K> at{};
  std::array<int64_t, K> step{};
  if (nd == 0) {  // a scalar: one row of one element
    row(int64_t{0}, int64_t{1}, at, step);
    return;
  }
  int64_t total = 1;
  for (int64_t size : shape) total *= size;
  const int64_t length = shape[nd - 1];
  for (size_t k = 0; k < K; ++k) step[k] = strides[k][nd - 1];
  Shape index(nd, 0);  // the multi-index of the current row's first position
  for (int64_t first = 0; first < total; first += length) {
    row(first, length, at, step);
    // Turn the odometer one step over the dims before the last: wheel d adds its stride to
    // every position; when it wraps to 0 it takes them back and carries into wheel d - 1.
    for (size_t d = nd - 1; d-- > 0;) {
      for (size_t k = 0; k < K; ++k) at[k] += strides[k][d];
      if (++index[d] < shape[d]) break;
      for (size_t k = 0; k < K; ++k) at[k] -= strides[k][d] * shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace bg
