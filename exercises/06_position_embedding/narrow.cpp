// Lesson 06, exercise 1: narrow. Read lessons/06_position_embedding/README.md#exercise-1.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// The slice start .. start+length of dimension dim, as a new contiguous tensor: x's shape
// with size `length` at dim. The contract (README exercise 1):
//   * a negative dim counts from the end; a dim out of range is a bg::Error showing the dim
//     and the shape (split_at in bg/shape.h throws it for you);
//   * a negative start counts from the end: narrow(x, 1, -1, 1) is the last step of dim 1;
//   * bg::Error showing the shape when length < 0 or the slice does not fit in the dim;
//   * the result records a graph through make_result, named "narrow"; its backward ADDS the
//     gradient into the slice's place in x's grad_buffer and leaves the rest alone.
// Available: split_at(x.shape(), dim) gives the normalised dim and the (outer, size, inner)
// sizes of lesson 03 section 5; README exercise 1 says what they buy you here.
Tensor narrow([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t dim,
              [[maybe_unused]] int64_t start, [[maybe_unused]] int64_t length) {
  bg::not_implemented(6, 1, "narrow");
}

}  // namespace bg
