// Lesson 07, exercise 1: softmax. Read lessons/07_self_attention/README.md#exercise-1,
// then replace the stub's body.
#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"

namespace bg {

// softmax(x, dim): y_j = exp(x_j - m) / sum_k exp(x_k - m) along `dim`, m the slice's max.
//
// - normalize_dim(dim, shape) turns -1 into the last dim (and throws for a bad one); a scalar
//   (shape {}) has no dim: throw bg::Error.
// - View the tensor as (outer, n, inner) around dim: element (o, j, i) is at
//   (o * n + j) * inner + i. One slice = the n elements sharing (o, i). split_at(shape, dim)
//   (bg/shape.h) gives outer, n and inner (and normalises dim, as normalize_dim does).
// - Per slice: find the max m, write e_j = std::exp(x_j - m), sum them, divide. A slice of
//   all -inf gives NaN (as PyTorch); do not special-case it, but do not crash either.
// - Wrap with make_result(y, shape, {x}, backward, "softmax"). The backward is the
//   Jacobian-vector product of README §5, per slice, in O(n) (never build the n × n
//   Jacobian). It needs only y, which it reads from out.data (do not capture the output
//   tensor), and ADDS into grad_buffer(out.parents[0].node()).
// - A property the tests check: the gradient of the sum of a slice is zero.
Tensor softmax([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t dim) {
  bg::not_implemented(7, 1, "softmax");
}

}  // namespace bg
