// Lesson 05, exercise 4: log-softmax and cross-entropy, each a fused op.
#include <cmath>
#include <limits>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/exp.h"
#include "bg/kernels/parallel.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"

namespace bg {

namespace {

// The largest of row[0..n). Sixteen running maxima instead of one, so that the compiler can
// keep them in one vector register: a single running maximum is a chain of dependent
// instructions that no vector unit can help with.
float row_max(const float* row, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lane[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) lane[j] = row[0];
  int64_t v = 0;
  for (; v + kLanes <= n; v += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = row[v + j] > lane[j] ? row[v + j] : lane[j];
  float m = lane[0];
  for (int64_t j = 1; j < kLanes; ++j) m = lane[j] > m ? lane[j] : m;
  for (; v < n; ++v) m = row[v] > m ? row[v] : m;
  return m;
}

// sum_v exp(row[v] - m), in sixteen float lanes (vectorised) added up in double at the end.
// Every term is at most 1 (m is the row's maximum), so float lanes lose nothing that matters.
double sum_exp_shifted(const float* row, float m, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lane[kLanes] = {};
  int64_t v = 0;
  for (; v + kLanes <= n; v += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] += fast_exp(row[v + j] - m);
  double z = 0.0;
  for (int64_t j = 0; j < kLanes; ++j) z += lane[j];
  for (; v < n; ++v) z += fast_exp(row[v] - m);
  return z;
}

}  // namespace

Tensor log_softmax(const Tensor& x, int64_t dim) {
  // x viewed as (outer, n, inner) around dim (split_at, bg/shape.h): element (o, j, i) sits
  // at (o * n + j) * inner + i.
  const DimSplit s = split_at(x.shape(), dim);
  const float* xs = x.data().data();
  std::vector<float> y = take_buffer(static_cast<size_t>(x.numel()));
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.n * s.inner + i;  // lane (o, :, i), stride inner
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < s.n; ++j) m = std::max(m, xs[base + j * s.inner]);
      double z = 0.0;  // sum_j exp(x_j - m): the largest term is exp(0) = 1
      for (int64_t j = 0; j < s.n; ++j) z += fast_exp(xs[base + j * s.inner] - m);
      const float lse = m + static_cast<float>(std::log(z));
      for (int64_t j = 0; j < s.n; ++j)
        y[static_cast<size_t>(base + j * s.inner)] = xs[base + j * s.inner] - lse;
    }
  }
  return make_result(
      std::move(y), x.shape(), {x},
      [s](const Node& out) {
        // dx_j = g_j - softmax_j * sum_k g_k, with softmax_j = exp(y_j)
        float* gx = grad_buffer(out.parents[0].node()).data();
        const float* g = out.grad.data();
        const float* y = out.data.data();
        for (int64_t o = 0; o < s.outer; ++o) {
          for (int64_t i = 0; i < s.inner; ++i) {
            const int64_t base = o * s.n * s.inner + i;
            double gsum = 0.0;
            for (int64_t j = 0; j < s.n; ++j) gsum += g[base + j * s.inner];
            for (int64_t j = 0; j < s.n; ++j) {
              const int64_t at = base + j * s.inner;
              gx[at] += g[at] - std::exp(y[at]) * static_cast<float>(gsum);
            }
          }
        }
      },
      "log_softmax");
}

Tensor cross_entropy(const Tensor& logits, std::span<const int32_t> targets) {
  if (logits.dim() != 2) {
    throw Error("cross_entropy: logits must be 2-D (N, V), got shape " + shape_str(logits.shape()));
  }
  const int64_t N = logits.size(0), V = logits.size(1);
  if (static_cast<int64_t>(targets.size()) != N) {
    throw Error("cross_entropy: logits of shape " + shape_str(logits.shape()) + " need " +
                std::to_string(N) + " targets, got " + std::to_string(targets.size()));
  }
  if (N == 0)
    throw Error("cross_entropy: no rows (logits of shape " + shape_str(logits.shape()) + ")");
  for (int64_t n = 0; n < N; ++n) {
    const int32_t t = targets[static_cast<size_t>(n)];
    if (t < 0 || t >= V) {
      throw Error("cross_entropy: target " + std::to_string(t) + " in row " + std::to_string(n) +
                  " is outside [0, " + std::to_string(V) + ")");
    }
  }
  const float* x = logits.data().data();  // (N, V)
  // log-sum-exp of each row, saved for the backward in a recycled buffer
  const std::shared_ptr<std::vector<float>> saved_lse = take_saved(static_cast<size_t>(N));
  float* lse = saved_lse->data();
  // Rows are independent: split them between threads when the vocabulary is large.
  parallel_for(N, 20.0 * static_cast<double>(V), [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const float* row = x + n * V;
      const float m = row_max(row, V);
      lse[n] = m + static_cast<float>(std::log(sum_exp_shifted(row, m, V)));
    }
  });
  double total = 0.0;
  for (int64_t n = 0; n < N; ++n) {  // -log p(target) = lse - x[target]
    total += lse[n] - x[n * V + targets[static_cast<size_t>(n)]];
  }
  std::vector<float> loss = take_buffer(1);
  loss[0] = static_cast<float>(total / static_cast<double>(N));
  std::vector<int32_t> saved(targets.begin(), targets.end());
  return make_result(
      std::move(loss), Shape{}, {logits},
      [saved_lse, saved = std::move(saved), N, V](const Node& out) {
        // dlogits (N, V) += g · (softmax - onehot) / N
        const float scale = out.grad[0] / static_cast<float>(N);
        const Tensor& in = out.parents[0];
        const float* x = in.data().data();
        float* gx = grad_buffer(in.node()).data();
        parallel_for(N, 10.0 * static_cast<double>(V), [&](int64_t n0, int64_t n1) {
          for (int64_t n = n0; n < n1; ++n) {
            const float* row = x + n * V;
            float* grow = gx + n * V;
            const float l = (*saved_lse)[static_cast<size_t>(n)];
            for (int64_t v = 0; v < V; ++v) grow[v] += scale * fast_exp(row[v] - l);  // softmax
            grow[saved[static_cast<size_t>(n)]] -= scale;                             // - onehot
          }
        });
      },
      "cross_entropy");
}

}  // namespace bg
