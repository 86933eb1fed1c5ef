// Lesson 03, exercise 6: sum, mean and max over one dimension or over everything.
// Read lessons/03_operations/README.md#exercise-6. You may add helpers in an anonymous
// namespace above the functions.
//
// README section 5 shows how a reduction over any one dimension becomes the same problem;
// split_at(shape, dim) (bg/shape.h) gives the normalised dim and the three sizes it uses.
// Each op records a graph through make_result, named "sum", "mean" or "max"; its backward
// ADDs into the input's grad_buffer (sections 5 and 6 derive the gradients).
//
// The result shape: `a`'s shape with dimension d removed (keepdim = false) or set to 1
// (keepdim = true). normalize_dim(dim, shape) (bg/shape.h) turns a negative dim into
// 0..ndim-1 and throws a bg::Error showing the dim and the shape when it is out of range.
#include <limits>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/ops.h"

namespace bg {

// The sum over dimension dim. Summing over an empty dimension gives 0.
Tensor sum([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
           [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "sum");
}

// The mean over dimension dim.
Tensor mean([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
            [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "mean");
}

// The sum of all elements, shape {} (a scalar). No new loop or backward is needed (README
// section 5): reshape (engine code, bg/ops.h) carries a gradient through.
Tensor sum([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "sum"); }

// The mean of all elements, shape {}.
Tensor mean([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "mean"); }

// The maximum over dimension dim. Its gradient is routed (README section 6): only the
// element that won receives it, and on a tie the FIRST maximal element along dim wins, like
// PyTorch's max(dim). Throw bg::Error (showing the shape) when the dimension is empty: a
// maximum of nothing does not exist.
Tensor max([[maybe_unused]] const Tensor& a, [[maybe_unused]] int64_t dim,
           [[maybe_unused]] bool keepdim) {
  bg::not_implemented(3, 6, "max");
}

// The largest element, shape {}; its gradient goes to the first largest element.
Tensor max([[maybe_unused]] const Tensor& a) { bg::not_implemented(3, 6, "max"); }

}  // namespace bg
