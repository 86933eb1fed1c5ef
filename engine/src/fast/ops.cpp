// The fast engine's ops (bg/fast/ops.h): the kernels wrapped once into the graph.
#include "bg/fast/ops.h"

#include <algorithm>
#include <memory>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/fast/attention_kernels.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/storage.h"

namespace bg::fast {

namespace {

// What attention's backward needs, kept until the graph is freed (the buffers then go back
// to the cache for the next step).
struct AttentionSaved {
  std::shared_ptr<std::vector<float>> w;    // (3C, C) the heads' q, k, v weights, stacked
  std::shared_ptr<std::vector<float>> qkv;  // (B, T, 3C)
  std::shared_ptr<std::vector<float>> lse;  // (B, nh, T)
  Generator gen;                            // the dropout stream as the forward found it
};

}  // namespace

Tensor attention(const Tensor& x, const MultiHeadAttention& mha) {
  const int64_t C = mha.n_embed(), nh = mha.n_head(), hs = mha.head_size();
  if (x.dim() != 3 || x.size(2) != C || x.size(1) > mha.block_size() ||
      static_cast<int64_t>(mha.heads.size()) != nh) {
    throw Error("attention: input must be (B, T, " + std::to_string(C) + ") with T <= block_size " +
                std::to_string(mha.block_size()) + ", got shape " + shape_str(x.shape()));
  }
  const AttentionDims d{x.size(0), x.size(1), C, nh};
  const int64_t rows = d.B * d.T;
  const Dropout& drop = mha.heads[0]->drop;
  const float p = drop.is_training() ? drop.p() : 0.0f;

  AttentionSaved saved{take_saved(static_cast<size_t>(3 * C * C)),
                       take_saved(static_cast<size_t>(rows * 3 * C)),
                       take_saved(static_cast<size_t>(d.B * nh * d.T)), default_generator()};
  // w (3C, C): row block 0 the queries, 1 the keys, 2 the values; head h's (hs, C) weight at
  // rows h·hs … of each block, which is where its columns of qkv come from
  std::vector<Tensor> inputs{x};
  for (int64_t h = 0; h < nh; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    const Linear* parts[] = {&head.query, &head.key, &head.value};
    for (int64_t part = 0; part < 3; ++part) {
      const auto wp = parts[part]->weight.data();  // (hs, C)
      std::copy(wp.begin(), wp.end(), saved.w->data() + (part * C + h * hs) * C);
      inputs.push_back(parts[part]->weight);
    }
  }
  // qkv (rows, 3C) = x (rows, C) · wᵀ
  std::fill_n(saved.qkv->data(), saved.qkv->size(), 0.0f);
  gemm_nt(x.data().data(), saved.w->data(), saved.qkv->data(), rows, C, 3 * C);
  Generator& gen = default_generator();
  std::vector<float> out = take_buffer(static_cast<size_t>(rows * C));
  attention_forward(saved.qkv->data(), out.data(), saved.lse->data(), d, p, gen);
  if (p > 0.0f) gen.advance(static_cast<uint64_t>(nh * d.B * d.T * d.T));  // the draws used

  return make_result(
      std::move(out), {d.B, d.T, C}, std::move(inputs),
      [saved, d, p](const Node& o) {
        const int64_t C = d.C, rows = d.B * d.T, hs = d.hs();
        std::vector<float> dqkv = take_zeros(static_cast<size_t>(rows * 3 * C));
        attention_backward(o.grad.data(), saved.qkv->data(), saved.lse->data(), dqkv.data(), d, p,
                           saved.gen);
        Node& xn = o.parents[0].node();
        if (xn.requires_grad) {  // dx (rows, C) += dqkv (rows, 3C) · w (3C, C)
          gemm_nn(dqkv.data(), saved.w->data(), grad_buffer(xn).data(), rows, 3 * C, C);
        }
        // dw (3C, C) = dqkvᵀ · x, then each head's rows into its own weights' gradients
        std::vector<float> dw = take_zeros(static_cast<size_t>(3 * C * C));
        gemm_tn(dqkv.data(), xn.data.data(), dw.data(), 3 * C, rows, C);
        for (int64_t h = 0; h < d.nh; ++h) {
          for (int64_t part = 0; part < 3; ++part) {
            Node& wn = o.parents[static_cast<size_t>(1 + 3 * h + part)].node();
            if (!wn.requires_grad) continue;
            const float* src = dw.data() + (part * C + h * hs) * C;
            float* dst = grad_buffer(wn).data();
            for (int64_t i = 0; i < hs * C; ++i) dst[i] += src[i];
          }
        }
        give_buffer(std::move(dw));
        give_buffer(std::move(dqkv));
      },
      "attention");
}

namespace {

// The input rows of lin(x) for x (..., in); bg::Error naming `op` otherwise.
int64_t linear_rows(const char* op, const Tensor& x, const Linear& lin) {
  const int64_t in = lin.in_features();
  if (x.dim() < 1 || x.shape().back() != in) {
    throw Error(std::string(op) + ": Linear(" + std::to_string(in) + " -> " +
                std::to_string(lin.out_features()) + ") needs an input ending in " +
                std::to_string(in) + ", got shape " + shape_str(x.shape()));
  }
  return x.numel() / in;
}

// y (rows, out) = x (rows, in) · Wᵀ + b in a buffer from the cache: every row starts as the
// bias (or zeros) and the product is added on top.
std::vector<float> linear_forward(const Tensor& x, const Linear& lin, int64_t rows) {
  const int64_t in = lin.in_features(), out = lin.out_features();
  std::vector<float> y = take_buffer(static_cast<size_t>(rows * out));
  for (int64_t r = 0; r < rows; ++r) {
    if (lin.bias.defined()) {
      std::copy_n(lin.bias.data().data(), out, y.data() + r * out);
    } else {
      std::fill_n(y.data() + r * out, out, 0.0f);
    }
  }
  gemm_nt(x.data().data(), lin.weight.data().data(), y.data(), rows, in, out);
  return y;
}

// The backward of y = x · Wᵀ + b for a node whose parents are (x, W[, b]): first
// g (rows, out) = dL/dy, made row by row by grad_row(r, g_row) (the gradient through what
// follows the product), each row added to db (out) as soon as it is made, while it is in
// cache; then, for the inputs that require grad,
//   dx (rows, in) += g · W      dW (out, in) += gᵀ · x
template <class GradRow>
void linear_backward(const Node& o, int64_t rows, int64_t in, int64_t out, GradRow grad_row) {
  std::vector<float> g = take_buffer(static_cast<size_t>(rows * out));
  float* db = o.parents.size() > 2 ? grad_or_null(o.parents[2].node()) : nullptr;
  for (int64_t r = 0; r < rows; ++r) {
    float* gr = g.data() + r * out;
    grad_row(r, gr);
    if (db != nullptr)
      for (int64_t j = 0; j < out; ++j) db[j] += gr[j];
  }
  Node& xn = o.parents[0].node();
  Node& wn = o.parents[1].node();
  if (xn.requires_grad) gemm_nn(g.data(), wn.data.data(), grad_buffer(xn).data(), rows, out, in);
  if (wn.requires_grad) gemm_tn(g.data(), xn.data.data(), grad_buffer(wn).data(), out, rows, in);
  give_buffer(std::move(g));
}

// x's shape with its last dim replaced by `out`.
Shape with_last(const Tensor& x, int64_t out) {
  Shape shape = x.shape();
  shape.back() = out;
  return shape;
}

}  // namespace

Tensor linear_relu(const Tensor& x, const Linear& lin) {
  if (!lin.bias.defined()) throw Error("linear_relu: the Linear needs a bias");
  const int64_t rows = linear_rows("linear_relu", x, lin);
  const int64_t in = lin.in_features(), out = lin.out_features();
  std::vector<float> y = linear_forward(x, lin, rows);  // (rows, out)
  for (float& v : y) v = std::max(v, 0.0f);
  return make_result(
      std::move(y), with_last(x, out), {x, lin.weight, lin.bias},
      [rows, in, out](const Node& o) {
        // g: the gradient through the ReLU, o.grad where the output is positive, else 0
        linear_backward(o, rows, in, out, [&o, out](int64_t r, float* g) {
          const float* y = o.data.data() + r * out;
          const float* gy = o.grad.data() + r * out;
          for (int64_t j = 0; j < out; ++j) g[j] = y[j] > 0.0f ? gy[j] : 0.0f;
        });
      },
      "linear_relu");
}

Tensor linear_dropout(const Tensor& x, const Linear& lin, const Dropout& drop) {
  const float p = drop.is_training() ? drop.p() : 0.0f;
  if (p == 0.0f) return lin(x);
  const int64_t rows = linear_rows("linear_dropout", x, lin);
  const int64_t in = lin.in_features(), out = lin.out_features();
  std::vector<float> y = linear_forward(x, lin, rows);  // (rows, out)
  // each element dropped when its draw's uniform() would be < p (bg/random.h)
  Generator& gen = default_generator();
  const Generator start = gen;  // the backward draws the same mask from here
  std::vector<float> factor = take_buffer(static_cast<size_t>(out));  // one row's factors
  for (int64_t r = 0; r < rows; ++r) {
    dropout_factors(gen, p, factor.data(), factor.size());
    for (int64_t j = 0; j < out; ++j)
      y[static_cast<size_t>(r * out + j)] *= factor[static_cast<size_t>(j)];
  }
  give_buffer(std::move(factor));
  std::vector<Tensor> inputs{x, lin.weight};
  if (lin.bias.defined()) inputs.push_back(lin.bias);
  return make_result(
      std::move(y), with_last(x, out), std::move(inputs),
      [rows, in, out, p, start](const Node& o) {
        // g: the gradient through the dropout, the same mask drawn again
        Generator replay = start;
        linear_backward(o, rows, in, out, [&](int64_t r, float* g) {
          const float* gy = o.grad.data() + r * out;
          dropout_factors(replay, p, g, static_cast<size_t>(out));
          for (int64_t j = 0; j < out; ++j) g[j] *= gy[j];
        });
      },
      "linear_dropout");
}

}  // namespace bg::fast
