// The fast engine's ops (bg/fast/ops.h): the kernels wrapped once into the graph.
#include "bg/fast/ops.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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
  std::shared_ptr<std::vector<float>> w;    // (width, C) the q, k, v weights, stacked
  std::shared_ptr<std::vector<float>> qkv;  // (B, T, width)
  std::shared_ptr<std::vector<float>> lse;  // (B, nh, T)
  Generator gen;                            // the dropout stream as the forward found it
};

// One weight tensor of an attention layer, (rows, C), and the row of the stacked
// w (width, C) where its rows go: a head's (hs, C) query weight, a fused (K·hs, C) key weight, …
struct WeightRows {
  Tensor weight;
  int64_t row0;
};

// Both attention ops: x (B, T, C) -> (B, T, C). w (width, C) is the parts' weights stacked at
// their rows; then
//   qkv (B·T, width) = x · wᵀ           one product
//   out = attention_forward(qkv)        all heads at once (bg/fast/attention_kernels.h)
// Dropout draws from default_generator() in drop's order, and the generator is then moved
// past its B·nh·T·T draws. Parents: x, then the parts' weights in the order given. Backward:
//   dqkv = attention_backward(dL/dout)          (B·T, width)
//   dx += dqkv · w        dw = dqkvᵀ · x, and each part's rows of dw into its weight's gradient
Tensor attention_op(const Tensor& x, const std::vector<WeightRows>& parts, const AttentionDims& d,
                    const AttentionDropout& drop) {
  const int64_t C = d.C, rows = d.B * d.T, width = d.width();
  AttentionSaved saved{take_saved(static_cast<size_t>(width * C)),
                       take_saved(static_cast<size_t>(rows * width)),
                       take_saved(static_cast<size_t>(d.B * d.nh * d.T)), default_generator()};
  std::vector<Tensor> inputs{x};
  for (const WeightRows& part : parts) {
    const auto wp = part.weight.data();  // (part rows, C)
    std::copy(wp.begin(), wp.end(), saved.w->data() + part.row0 * C);
    inputs.push_back(part.weight);
  }
  // qkv (rows, width) = x (rows, C) · wᵀ
  std::fill_n(saved.qkv->data(), saved.qkv->size(), 0.0f);
  gemm_nt(x.data().data(), saved.w->data(), saved.qkv->data(), rows, C, width);
  Generator& gen = default_generator();
  std::vector<float> out = take_buffer(static_cast<size_t>(rows * C));
  attention_forward(saved.qkv->data(), out.data(), saved.lse->data(), d, drop, gen);
  if (drop.p > 0.0f) gen.advance(static_cast<uint64_t>(d.nh * d.B * d.T * d.T));  // the draws used

  std::vector<int64_t> row0;  // where each parent after x has its rows in w
  for (const WeightRows& part : parts) row0.push_back(part.row0);
  return make_result(
      std::move(out), {d.B, d.T, C}, std::move(inputs),
      [saved, d, drop, row0](const Node& o) {
        const int64_t C = d.C, rows = d.B * d.T, width = d.width();
        std::vector<float> dqkv = take_zeros(static_cast<size_t>(rows * width));
        attention_backward(o.grad.data(), saved.qkv->data(), saved.lse->data(), dqkv.data(), d,
                           drop, saved.gen);
        Node& xn = o.parents[0].node();
        if (xn.requires_grad) {  // dx (rows, C) += dqkv (rows, width) · w (width, C)
          gemm_nn(dqkv.data(), saved.w->data(), grad_buffer(xn).data(), rows, width, C);
        }
        // dw (width, C) = dqkvᵀ · x, then each part's rows into its own weight's gradient
        std::vector<float> dw = take_zeros(static_cast<size_t>(width * C));
        gemm_tn(dqkv.data(), xn.data.data(), dw.data(), width, rows, C);
        for (size_t i = 0; i < row0.size(); ++i) {
          Node& wn = o.parents[1 + i].node();
          if (!wn.requires_grad) continue;
          const float* src = dw.data() + row0[i] * C;
          float* dst = grad_buffer(wn).data();
          for (size_t j = 0; j < wn.data.size(); ++j) dst[j] += src[j];
        }
        give_buffer(std::move(dw));
        give_buffer(std::move(dqkv));
      },
      "attention");
}

// bg::Error unless x is (B, T, C) with T <= block_size.
void check_attention_input(const Tensor& x, int64_t C, int64_t block_size) {
  if (x.dim() != 3 || x.size(2) != C || x.size(1) > block_size) {
    throw Error("attention: input must be (B, T, " + std::to_string(C) + ") with T <= block_size " +
                std::to_string(block_size) + ", got shape " + shape_str(x.shape()));
  }
}

}  // namespace

Tensor attention(const Tensor& x, const MultiHeadAttention& mha) {
  const int64_t C = mha.n_embed(), nh = mha.n_head(), hs = mha.head_size();
  check_attention_input(x, C, mha.block_size());
  if (static_cast<int64_t>(mha.heads.size()) != nh) {
    throw Error("attention: the list has " + std::to_string(mha.heads.size()) +
                " heads, n_head is " + std::to_string(nh));
  }
  const AttentionDims d{x.size(0), x.size(1), C, nh, nh};  // every head its own keys and values
  const Dropout& drop = mha.heads[0]->drop;
  // head h's Dropout draws for its (B, T, T) weights after heads 0 … h-1 drew theirs
  const AttentionDropout dropout{drop.is_training() ? drop.p() : 0.0f, 1, d.B};
  // w (3C, C): row block 0 the queries, 1 the keys, 2 the values; head h's (hs, C) weight at
  // rows h·hs … of each block, which is where its columns of qkv come from
  std::vector<WeightRows> parts;
  for (int64_t h = 0; h < nh; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    parts.push_back({head.query.weight, h * hs});
    parts.push_back({head.key.weight, C + h * hs});
    parts.push_back({head.value.weight, 2 * C + h * hs});
  }
  return attention_op(x, parts, d, dropout);
}

Tensor attention(const Tensor& x, const GroupedQueryAttention& gqa) {
  const int64_t C = gqa.n_embed(), nh = gqa.n_head(), K = gqa.n_kv_head(), hs = gqa.head_size();
  check_attention_input(x, C, gqa.block_size());
  const AttentionDims d{x.size(0), x.size(1), C, nh, K};
  const Dropout& drop = gqa.attn_drop;
  // one Dropout on wei (B, nh, T, T): sequence b's heads after sequences 0 … b-1
  const AttentionDropout dropout{drop.is_training() ? drop.p() : 0.0f, nh, 1};
  // w (C + 2·K·hs, C): query.weight (C, C), key.weight (K·hs, C), value.weight (K·hs, C)
  return attention_op(
      x, {{gqa.query.weight, 0}, {gqa.key.weight, C}, {gqa.value.weight, C + K * hs}}, d, dropout);
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
