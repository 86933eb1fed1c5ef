// Lesson 05, exercise 3: the embedding lookup. Read lessons/05_language_model/README.md#exercise-3.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// Check the inputs first (bg::Error with the shapes/values): weight is 2-D (rows, C),
// ids.size() == numel(ids_shape), every id in [0, rows) — name the bad id, its position and
// the table size. Forward: output row k (shape ids_shape + {C}) is a copy of weight row
// ids[k]. Backward (captures a copy of the ids, not the output): for every k, ADD output
// row k's gradient into row ids[k] of the weight's grad_buffer — a repeated id gets the sum.
Tensor embedding([[maybe_unused]] const Tensor& weight,
                 [[maybe_unused]] std::span<const int32_t> ids, [[maybe_unused]] Shape ids_shape) {
  bg::not_implemented(5, 3, "embedding");
}

}  // namespace bg
