// Lesson 05, exercise 4: log-softmax and cross-entropy. Read
// lessons/05_language_model/README.md#exercise-4.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// View x as (outer, n, inner) around `dim` (split_at(x.shape(), dim) in bg/shape.h gives the
// three sizes and handles negative dims); each lane (o, :, i) is one distribution. Forward
// with the max trick of README §3 (no exp may overflow). Backward: the gradient README §3
// derives, per lane, ADDED into x's gradient; it needs only y (out.data) and g.
Tensor log_softmax([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t dim) {
  bg::not_implemented(5, 4, "log_softmax");
}

// logits (N, V), N targets in [0, V) (bg::Error otherwise, naming the bad target/row or the
// shapes). Forward: the mean over the N rows of -log_softmax(logits)[n, target_n] — a scalar
// (shape {}) — as ONE op, not built from log_softmax. Backward: the gradient README §3
// derives, scaled by g = out.grad[0] and ADDED into the logits' gradient. Saving a per-row
// quantity from the forward spares the backward from recomputing it.
// std::exp is fine; once the tests pass, bg::fast_exp (bg/kernels/exp.h) makes this op several
// times faster on a large vocabulary (README: "A note on speed").
Tensor cross_entropy([[maybe_unused]] const Tensor& logits,
                     [[maybe_unused]] std::span<const int32_t> targets) {
  bg::not_implemented(5, 4, "cross_entropy");
}

}  // namespace bg
