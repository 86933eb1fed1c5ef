// Lesson 04, exercises 2 and 3: the matrix-product kernels and the batched matmul op.
#include <algorithm>
#include <array>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/storage.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace bg {

// ---- exercise 2: kernels on raw row-major arrays; each ADDS into c.
// Loop orders keep the innermost loop walking contiguous memory so the compiler vectorises it.

// c (n, m) += a (n, k) · b (k, m): for each row i, c[i,:] += a[i,p] · b[p,:].
void matmul_nn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  for (int64_t i = 0; i < n; ++i) {
    float* ci = c + i * m;
    for (int64_t p = 0; p < k; ++p) {
      const float aip = a[i * k + p];
      const float* bp = b + p * m;
      for (int64_t j = 0; j < m; ++j) ci[j] += aip * bp[j];
    }
  }
}

// c (n, m) += a (n, k) · bᵀ with b (m, k): c[i,j] += dot(a[i,:], b[j,:]).
void matmul_nt(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  for (int64_t i = 0; i < n; ++i) {
    const float* ai = a + i * k;
    for (int64_t j = 0; j < m; ++j) {
      const float* bj = b + j * k;
      float s = 0.0f;
      for (int64_t p = 0; p < k; ++p) s += ai[p] * bj[p];
      c[i * m + j] += s;
    }
  }
}

// c (n, m) += aᵀ · b with a (k, n), b (k, m): c[i,:] += a[p,i] · b[p,:] for every p.
void matmul_tn(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  for (int64_t p = 0; p < k; ++p) {
    const float* ap = a + p * n;
    const float* bp = b + p * m;
    for (int64_t i = 0; i < n; ++i) {
      const float api = ap[i];
      float* ci = c + i * m;
      for (int64_t j = 0; j < m; ++j) ci[j] += api * bp[j];
    }
  }
}

// ---- exercise 3: the op
namespace {

struct Plan {
  int64_t n, k, m;
  Shape batch;                        // broadcast batch shape
  std::vector<int64_t> a_off, b_off;  // per output batch: offset of its a / b matrix
  Shape out_shape;
};

Plan plan(const Shape& as, const Shape& bs) {
  if (as.size() < 2 || bs.size() < 2) {
    throw Error("matmul needs operands with at least 2 dims, got " + shape_str(as) + " and " +
                shape_str(bs));
  }
  Plan p;
  p.n = as[as.size() - 2];
  p.k = as.back();
  p.m = bs.back();
  if (bs[bs.size() - 2] != p.k) {
    throw Error("matmul: inner dimensions differ: " + shape_str(as) + " @ " + shape_str(bs) + " (" +
                std::to_string(p.k) + " vs " + std::to_string(bs[bs.size() - 2]) + ")");
  }
  const Shape ab(as.begin(), as.end() - 2);
  const Shape bb(bs.begin(), bs.end() - 2);
  try {
    p.batch = broadcast_shapes(ab, bb);
  } catch (const Error&) {
    throw Error("matmul: batch dimensions of " + shape_str(as) + " and " + shape_str(bs) +
                " cannot be broadcast");
  }
  p.out_shape = p.batch;
  p.out_shape.push_back(p.n);
  p.out_shape.push_back(p.m);
  // Offsets: the broadcast walk (bg/shape.h) over the batch dims, mapping every output
  // batch into each operand; an operand stretched along a batch dim reuses its matrices.
  const std::array<Shape, 2> strides{broadcast_strides(ab, p.batch),
                                     broadcast_strides(bb, p.batch)};
  const auto nb = static_cast<size_t>(numel(p.batch));
  p.a_off.resize(nb);
  p.b_off.resize(nb);
  for_each_broadcast_row(p.batch, strides,
                         [&](int64_t first, int64_t length, const auto& at, const auto& step) {
                           for (int64_t j = 0; j < length; ++j) {
                             const auto t = static_cast<size_t>(first + j);
                             p.a_off[t] = (at[0] + j * step[0]) * p.n * p.k;
                             p.b_off[t] = (at[1] + j * step[1]) * p.k * p.m;
                           }
                         });
  return p;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  Plan p = plan(a.shape(), b.shape());
  std::vector<float> c = take_zeros(static_cast<size_t>(numel(p.out_shape)));
  const float* pa = a.data().data();
  const float* pb = b.data().data();
  for (size_t t = 0; t < p.a_off.size(); ++t) {
    gemm_nn(pa + p.a_off[t], pb + p.b_off[t], c.data() + static_cast<int64_t>(t) * p.n * p.m, p.n,
            p.k, p.m);
  }
  Shape out_shape = p.out_shape;
  return make_result(
      std::move(c), std::move(out_shape), {a, b},
      [p = std::move(p)](const Node& out) {
        const Tensor& a = out.parents[0];
        const Tensor& b = out.parents[1];
        for (size_t t = 0; t < p.a_off.size(); ++t) {
          const float* g = out.grad.data() + static_cast<int64_t>(t) * p.n * p.m;  // (n, m)
          if (a.requires_grad()) {
            // dA (n, k) += dC (n, m) · Bᵀ, B stored (k, m)
            gemm_nt(g, b.data().data() + p.b_off[t], grad_buffer(a.node()).data() + p.a_off[t], p.n,
                    p.m, p.k);
          }
          if (b.requires_grad()) {
            // dB (k, m) += Aᵀ · dC, A stored (n, k)
            gemm_tn(a.data().data() + p.a_off[t], g, grad_buffer(b.node()).data() + p.b_off[t], p.k,
                    p.n, p.m);
          }
        }
      },
      "matmul");
}

}  // namespace bg
