// Elementwise ops with NumPy broadcasting, reductions and shape ops — lesson 03.
// Every op records its backward (see bg/autograd.h); broadcast gradients are reduced
// with sum_to_shape.
#pragma once

#include <span>

#include "bg/tensor.h"

namespace bg {

// ---- Lesson 03, exercise 2 ----------------------------------------------------------------
// The gradient of a broadcast: `grad` has shape `from` (a broadcast of `to`); ADD into `out`
// (numel(to) values) the sum of grad over every dimension that broadcasting stretched.
// Throws bg::Error (showing both shapes) when `to` does not broadcast to `from`.
void sum_to_shape(std::span<const float> grad, const Shape& from, const Shape& to,
                  std::span<float> out);

// ---- Lesson 03, exercise 3 ----------------------------------------------------------------
// The forward loop of every broadcasting binary op: out (shape broadcast_shapes(a, b)) gets
// f(a[i_a], b[i_b]) where i_a, i_b are the elements each output position reads.
enum class BinaryOp { add, sub, mul, div };
Tensor broadcast_binary_forward(const Tensor& a, const Tensor& b, BinaryOp op);

// ---- Lesson 03, exercise 4: add, sub, mul, div (forward through exercise 3, with backward)
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// scalar forms (the scalar is a constant: no gradient flows to it)
Tensor add(const Tensor& a, float b);
Tensor sub(const Tensor& a, float b);
Tensor mul(const Tensor& a, float b);
Tensor div(const Tensor& a, float b);
Tensor neg(const Tensor& a);

// ---- Lesson 03, exercise 5: elementwise functions with backward
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor pow(const Tensor& a, float exponent);

// ---- Lesson 03, exercise 6: reductions with backward
Tensor sum(const Tensor& a);  // all elements -> shape {}
Tensor sum(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int64_t dim, bool keepdim = false);
// Maximum values (the gradient goes to the first maximal element, like PyTorch's
// max(dim)). max(a) over all elements -> shape {}.
Tensor max(const Tensor& a);
Tensor max(const Tensor& a, int64_t dim, bool keepdim = false);

// ---- engine (worked examples in the lesson): shape ops
// Same values, new shape (one entry may be -1: inferred). bg::Error showing both shapes
// when the element counts differ.
Tensor reshape(const Tensor& a, Shape shape);

// operators
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, float b);
Tensor operator-(const Tensor& a, float b);
Tensor operator*(const Tensor& a, float b);
Tensor operator/(const Tensor& a, float b);
Tensor operator+(float a, const Tensor& b);
Tensor operator-(float a, const Tensor& b);
Tensor operator*(float a, const Tensor& b);
Tensor operator/(float a, const Tensor& b);

}  // namespace bg
