// Lesson 05, exercise 4: log-softmax and cross-entropy. Read
// lessons/05_language_model/README.md#exercise-4.
#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

// View x as (outer, n, inner) around `dim` (split_at(x.shape(), dim) in bg/shape.h gives the
// three sizes and handles negative dims); each lane
// (o, :, i) is one distribution. Per lane: m = max, lse = m + log(sum exp(x_j - m)),
// y_j = x_j - lse. Backward: dx_j += g_j - exp(y_j) * sum_k g_k (y is out.data).
Tensor log_softmax([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t dim) {
  bg::not_implemented(5, 4, "log_softmax");
}

// logits (N, V), N targets in [0, V) (bg::Error otherwise, naming the bad target/row or the
// shapes). Forward: loss = mean over rows of (lse_n - logits[n, target_n]) — a scalar
// (shape {}). Save each row's lse for backward. Backward: dlogits[n, v] +=
// g · (exp(logits[n, v] - lse_n) - [v == target_n]) / N, where g = out.grad[0].
// std::exp is fine; once the tests pass, bg::fast_exp (bg/fast_exp.h) makes this op several
// times faster on a large vocabulary (README: "A note on speed").
Tensor cross_entropy([[maybe_unused]] const Tensor& logits,
                     [[maybe_unused]] std::span<const int32_t> targets) {
  bg::not_implemented(5, 4, "cross_entropy");
}

}  // namespace bg
