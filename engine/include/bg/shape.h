// Shapes and the index arithmetic of contiguous row-major storage.
#pragma once

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

}  // namespace bg
