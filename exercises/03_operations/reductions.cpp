// Lesson 03, exercise 6: sum, mean and max over one dimension or over everything.
// Read lessons/03_operations/README.md#exercise-6. You may add helpers in an anonymous
// namespace above the functions.
//
// Reducing dimension d of a contiguous tensor: view it as (outer, n, inner) where n is the
// size of d, outer the product of the sizes before it and inner the product of those after.
// Element (o, j, i) sits at (o * n + j) * inner + i; the result element (o, i) at
// o * inner + i. Loop o, then j, then i: the innermost loop then walks memory in order.
// split_at(shape, dim) (bg/shape.h) gives the normalised dim, outer, n and inner.
//
// The result shape: `a`'s shape with dimension d removed (keepdim = false) or set to 1
// (keepdim = true). normalize_dim(dim, shape) (bg/shape.h) turns a negative dim into
// 0..ndim-1 and throws a bg::Error showing the dim and the shape when it is out of range.
#include <limits>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// y[o, i] = Σ_j x[o, j, i].   Backward: every x[o, j, i] gets g[o, i] (ADD it).
Tensor sum([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
           [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "sum");
}

// y[o, i] = (1/n) Σ_j x[o, j, i].   Backward: every x[o, j, i] gets g[o, i] / n.
Tensor mean([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
            [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "mean");
}

// The sum of all elements, shape {} (a scalar). Hint: reshape (engine) to one dimension,
// sum over it, reshape to {}; reshape carries the gradient through.
Tensor sum([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "sum"); }

// The mean of all elements, shape {}.
Tensor mean([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "mean"); }

// y[o, i] = max_j x[o, j, i]. Remember WHICH j won (the first one on ties, like PyTorch's
// max(dim)) in a vector the backward captures; the backward adds g[o, i] to that element
// only — every other element gets no gradient. Throw bg::Error (showing the shape) when the
// dimension is empty: a maximum of nothing does not exist.
Tensor max([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
           [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "max");
}

// The largest element, shape {}; its gradient goes to the first largest element.
Tensor max([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "max"); }

}  // namespace bg
