// Lesson 06, exercise 1: narrow. Read lessons/06_position_embedding/README.md#exercise-1.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// Normalise dim; a negative start counts from the end (start + size). bg::Error with the
// shape when length < 0 or [start, start + length) is not inside the dimension. View x as
// (outer, size, inner) — split_at(x.shape(), dim) (bg/shape.h) normalises dim and gives the
// three sizes: for each outer index, the run of length·inner floats starting at
// (o·size + start)·inner is contiguous — copy it. Backward ADDS each run of the gradient back
// at the same place of x's grad_buffer.
Tensor narrow([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t dim,
              [[maybe_unused]] int64_t start, [[maybe_unused]] int64_t length) {
  bg::not_implemented(6, 1, "narrow");
}

}  // namespace bg
