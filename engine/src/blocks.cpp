// The parts of lessons 09–12 that are not exercises: building the modules (sizes checked,
// children created and registered in the PyTorch order), the layer-norm op around the
// lesson's two kernels, and the block's dispatch on its kind.
#include "bg/blocks.h"

#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/grouped_attention.h"
#include "bg/kernels/storage.h"
#include "bg/ops.h"

namespace bg {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// The block's attention: a list of heads (v6, v7), or heads + W^O (v8+), or grouped-query
// attention with W^O (v8+ with fewer key/value heads than heads, lesson 14).
std::unique_ptr<SelfAttention> make_attention(const BlockConfig& c, Generator& gen) {
  if (c.n_kv_head != 0 && c.n_kv_head != c.n_head) {
    if (!c.projection) {
      throw Error("Block: grouped-query attention (n_kv_head " + str(c.n_kv_head) +
                  ") needs the output projection W^O (v8+)");
    }
    return std::make_unique<GroupedQueryAttention>(c.n_embed, c.n_head, c.n_kv_head, c.block_size,
                                                   gen, c.dropout);
  }
  if (c.projection) {
    return std::make_unique<ProjectedAttention>(c.n_embed, c.n_head, c.block_size, gen, c.dropout);
  }
  return std::make_unique<MultiHeadAttention>(c.n_embed, c.n_head, c.block_size, gen);
}

int64_t checked_embed(const char* who, int64_t n_embed) {
  if (n_embed <= 0)
    throw Error(std::string(who) + ": n_embed must be positive, got " + str(n_embed));
  return n_embed;
}

}  // namespace

// ---- dropout
void Dropout::set_p(float p) {
  if (!(p >= 0.0f && p <= 1.0f)) {
    throw Error("Dropout: p must be in [0, 1], got " + std::to_string(p));
  }
  p_ = p;
}

// ---- feed-forward: net.0 = Linear(C, C) (+ ReLU), or Linear(C, 4C), ReLU, net.2 = Linear(4C, C),
// net.3 = Dropout
FeedForward::FeedForward(int64_t n_embed, bool expand, float dropout, Generator& gen)
    : net0(checked_embed("FeedForward", n_embed), expand ? 4 * n_embed : n_embed, true, gen),
      drop(dropout) {
  register_module("net.0", net0);
  if (expand) {
    net2 = std::make_unique<Linear>(4 * n_embed, n_embed, true, gen);
    register_module("net.2", *net2);
    register_module("net.3", drop);
  }
}

// ---- attention with the output projection
ProjectedAttention::ProjectedAttention(int64_t n_embed, int64_t n_head, int64_t block_size,
                                       Generator& gen, float dropout)
    : MultiHeadAttention(n_embed, n_head, block_size, gen),
      proj(n_embed, n_head, gen),
      drop(dropout) {
  for (auto& head : heads) head->drop.set_p(dropout);
  register_module("proj", proj);
  register_module("drop", drop);
}

// ---- layer norm: the op around the lesson's kernels
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
  if (x.dim() < 1 || weight.dim() != 1 || bias.dim() != 1 || weight.size(0) != x.size(-1) ||
      bias.size(0) != x.size(-1)) {
    throw Error("layer_norm: x " + shape_str(x.shape()) + " must end in the size of weight " +
                shape_str(weight.shape()) + " and bias " + shape_str(bias.shape()));
  }
  if (!(eps > 0.0f)) throw Error("layer_norm: eps must be positive, got " + std::to_string(eps));
  const int64_t C = x.size(-1);
  const int64_t rows = x.numel() / C;
  std::vector<float> y = take_buffer(static_cast<size_t>(x.numel()));
  // mean and rstd, saved for the backward: (rows) each, side by side in one buffer
  const std::shared_ptr<std::vector<float>> stats = take_saved(static_cast<size_t>(2 * rows));
  float* mean = stats->data();
  float* rstd = stats->data() + rows;
  layer_norm_forward(x.data().data(), weight.data().data(), bias.data().data(), y.data(), mean,
                     rstd, rows, C, eps);
  return make_result(
      std::move(y), x.shape(), {x, weight, bias},
      [stats, rows, C](const Node& out) {
        Node& xn = out.parents[0].node();
        Node& wn = out.parents[1].node();
        Node& bn = out.parents[2].node();
        float* dx = grad_or_null(xn);
        float* dw = grad_or_null(wn);
        float* db = grad_or_null(bn);
        layer_norm_backward(out.grad.data(), xn.data.data(), wn.data.data(), stats->data(),
                            stats->data() + rows, dx, dw, db, rows, C);
      },
      "layer_norm");
}

LayerNorm::LayerNorm(int64_t n_embed, float eps) : eps_(eps) {
  checked_embed("LayerNorm", n_embed);
  weight = register_parameter("weight", ones({n_embed}));
  bias = register_parameter("bias", zeros({n_embed}));
}

// ---- the block
Block::Block(const BlockConfig& c, Generator& gen)
    : sa(make_attention(c, gen)), ffwd(c.n_embed, c.projection, c.dropout, gen), config_(c) {
  register_module("sa", *sa);
  register_module("ffwd", ffwd);
  if (c.kind == BlockKind::prenorm) {
    ln1 = std::make_unique<LayerNorm>(c.n_embed);
    ln2 = std::make_unique<LayerNorm>(c.n_embed);
    register_module("ln1", *ln1);
    register_module("ln2", *ln2);
  }
}

Tensor Block::forward(const Tensor& x, std::vector<Tensor>* weights) const {
  if (x.dim() != 3 || x.size(2) != config_.n_embed) {
    throw Error("Block: input must be (B, T, " + str(config_.n_embed) + "), got shape " +
                shape_str(x.shape()));
  }
  switch (config_.kind) {
    case BlockKind::plain:
      return forward_plain(x, weights);
    case BlockKind::residual:
      return forward_residual(x, weights);
    case BlockKind::prenorm:
      return forward_prenorm(x, weights);
  }
  throw Error("Block: unknown kind");
}

Blocks::Blocks(int64_t n_layer, const BlockConfig& config, Generator& gen) {
  if (n_layer <= 0) throw Error("Blocks: n_layer must be positive, got " + str(n_layer));
  for (int64_t l = 0; l < n_layer; ++l) {
    blocks.push_back(std::make_unique<Block>(config, gen));
    register_module(str(l), *blocks.back());
  }
}

}  // namespace bg
