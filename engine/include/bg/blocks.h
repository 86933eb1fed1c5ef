// The parts of a full GPT block — lessons 09–12:
//
//   09  FeedForward (Linear + ReLU, later C -> 4C -> C), Block without residual (v5, v6),
//       Blocks: n_layer blocks in sequence
//   10  residual connections (v7) and the attention output projection W^O (v8)
//   11  layer normalisation as one coarse op, pre-norm blocks (v9)
//   12  dropout with train and eval modes (v10, v11)
//
// Shapes follow the course: B batch, T time, C = n_embed channels. Parameter names are those
// of the PyTorch reference's state_dict: blocks.0.sa.heads.0.key.weight, blocks.0.sa.proj.bias,
// blocks.0.ffwd.net.0.weight, blocks.0.ffwd.net.2.weight, blocks.0.ln1.weight, …
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bg/attention.h"
#include "bg/dropout.h"
#include "bg/heads.h"
#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

// ---- Lesson 09, exercise 1: the feed-forward network -------------------------------------
// Per position, a small MLP. Two shapes, as in the course:
//   v5–v7 (expand = false): net.0 = Linear(C, C), then ReLU               ("net.0.weight")
//   v8+   (expand = true):  net.0 = Linear(C, 4C), ReLU, net.2 = Linear(4C, C), net.3 = Dropout
// (net.1 is the ReLU and has no parameters, which is why the second Linear is net.2.)
class FeedForward : public Module {
 public:
  // engine code: creates and registers net.0 (and net.2, net.3) in that order from gen.
  FeedForward(int64_t n_embed, bool expand, float dropout = 0.0f,
              Generator& gen = default_generator());
  // The exercise. x (B, T, C) -> (B, T, C), every position on its own: net.0 and the ReLU;
  // when expand, then net.2 and the dropout (lessons/09_feed_forward_and_blocks/README.md §2).
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  Linear net0;
  std::unique_ptr<Linear> net2;  // null unless expand
  Dropout drop;                  // "net.3"; identity unless expand and dropout > 0
};

// ---- Lesson 10, exercise 2: the attention output projection W^O ----------------------------
// Multi-head attention followed by proj = Linear(C, C) (with bias) and a dropout: the heads'
// concatenated outputs are mixed by W^O. Parameters "heads.<i>.{key,query,value}.weight",
// then "proj.weight", "proj.bias".
class ProjectedAttention : public MultiHeadAttention {
 public:
  // engine code: the heads (as MultiHeadAttention), then proj, from gen.
  ProjectedAttention(int64_t n_embed, int64_t n_head, int64_t block_size,
                     Generator& gen = default_generator(), float dropout = 0.0f);
  // The exercise. x (B, T, C) -> (B, T, C): the heads' concatenated outputs (the base
  // class's forward), mixed by proj, then the dropout
  // (lessons/10_residual_connections/README.md §3).
  // When `weights` is not null it receives each head's attention weights.
  Tensor forward(const Tensor& x, std::vector<Tensor>* weights = nullptr) const override;

  HeadProjection proj;  // a Linear(C, C) that can gate the heads on its input (lesson 14)
  Dropout drop;
};

class Blocks;  // below

// ---- Lesson 10, exercise 3: how much gradient reaches each block --------------------------
// After a backward pass, one number per block, block 0 first: the L2 norm of all of that
// block's parameter gradients together,
//   norm_l = sqrt( Σ_p Σ_i (dL/dp_i)² )   over every parameter p of blocks.blocks[l],
// summed in double. A parameter with no gradient yet counts as zeros. Comparing the numbers
// of a plain stack (v6) with a residual one (v7) shows how much signal reaches the first
// blocks (lessons/10_residual_connections/README.md).
std::vector<float> grad_norms(const Blocks& blocks);

// ---- Lesson 11: layer normalisation -------------------------------------------------------
// Over the last dimension of x viewed as (rows, C), for each row r:
//   mean_r = (1/C) Σ_c x[r,c]
//   var_r  = (1/C) Σ_c (x[r,c] - mean_r)²            (the biased variance, as PyTorch)
//   rstd_r = 1 / sqrt(var_r + eps)
//   y[r,c] = (x[r,c] - mean_r) · rstd_r · gamma[c] + beta[c]
//
// Exercise 1, the forward kernel: writes y (rows, C) and saves mean (rows) and rstd (rows)
// for the backward pass.
void layer_norm_forward(const float* x, const float* gamma, const float* beta, float* y,
                        float* mean, float* rstd, int64_t rows, int64_t C, float eps);
// Exercise 2, the backward kernel: given g = dL/dy (rows, C) and the mean and rstd the
// forward saved, it ADDS dL/dx (rows, C), dL/dgamma (C) and dL/dbeta (C) into dx, dgamma and
// dbeta (the gradients with respect to gamma and beta are summed over the rows). Any of the
// three may be null: that input needs no gradient. The formulas are derived in
// lessons/11_layer_normalization/README.md §2.
void layer_norm_backward(const float* g, const float* x, const float* gamma, const float* mean,
                         const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t C);

// engine code: the op built on the two kernels, like torch.nn.functional.layer_norm over the
// last dim. x (..., C), weight (C), bias (C). bg::Error showing the shapes when they do not fit.
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps = 1e-5f);

// torch.nn.LayerNorm(C): "weight" = ones(C), "bias" = zeros(C), eps 1e-5.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t n_embed, float eps = 1e-5f);
  Tensor forward(const Tensor& x) const { return layer_norm(x, weight, bias, eps_); }
  Tensor operator()(const Tensor& x) const { return forward(x); }
  Tensor weight;
  Tensor bias;

 private:
  float eps_;
};

// ---- A transformer block (lessons 09–11) ---------------------------------------------------
// How the block wires its attention (sa) and feed-forward (ffwd), one kind per lesson:
//   plain     (v6)      attention, then feed-forward; no residual      lesson 09, exercise 2
//   residual  (v7, v8)  each sub-layer adds its output to the stream    lesson 10, exercise 1
//   prenorm   (v9+)     as residual, each sub-layer reading the stream   lesson 11, exercise 3
//                       through its own LayerNorm (ln1 for sa, ln2 for ffwd)
enum class BlockKind { plain, residual, prenorm };

struct BlockConfig {
  int64_t n_embed = 32;
  int64_t n_head = 4;
  int64_t block_size = 8;
  BlockKind kind = BlockKind::plain;
  bool projection = false;  // sa is a ProjectedAttention and ffwd expands to 4C (v8+)
  float dropout = 0.0f;
  // Key/value heads (lesson 14): 0 or n_head, every head its own (today's model); fewer, with
  // projection only, and sa is a GroupedQueryAttention (bg/grouped_attention.h).
  int64_t n_kv_head = 0;
};

class Block : public Module {
 public:
  // engine code: registers "sa", "ffwd" (and "ln1", "ln2" for prenorm), drawn from gen in
  // that order — the order of the PyTorch reference.
  explicit Block(const BlockConfig& config, Generator& gen = default_generator());
  // engine code: checks x is (B, T, n_embed) and calls the forward of the block's kind.
  // When `weights` is not null it receives each head's attention weights.
  Tensor forward(const Tensor& x, std::vector<Tensor>* weights = nullptr) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  Tensor forward_plain(const Tensor& x, std::vector<Tensor>* weights) const;     // lesson 09
  Tensor forward_residual(const Tensor& x, std::vector<Tensor>* weights) const;  // lesson 10
  Tensor forward_prenorm(const Tensor& x, std::vector<Tensor>* weights) const;   // lesson 11

  const BlockConfig& config() const { return config_; }

  // A MultiHeadAttention; a ProjectedAttention when config.projection; a
  // GroupedQueryAttention when config.n_kv_head is set and below n_head (lesson 14).
  std::unique_ptr<SelfAttention> sa;
  FeedForward ffwd;
  std::unique_ptr<LayerNorm> ln1, ln2;  // prenorm only

 private:
  BlockConfig config_;
};

// ---- Lesson 09, exercise 3: n_layer blocks in sequence (nn.Sequential) -------------------
// Children "0", "1", … (so a model's "blocks.1.sa.heads.0.key.weight"), each with its own
// weights, drawn block after block from gen.
class Blocks : public Module {
 public:
  Blocks(int64_t n_layer, const BlockConfig& config, Generator& gen = default_generator());
  // The exercise. x (B, T, C) through block 0, then block 1, … -> (B, T, C). When `weights`
  // is not null it receives, for every layer l, that layer's head weights: (*weights)[l][h].
  Tensor forward(const Tensor& x, std::vector<std::vector<Tensor>>* weights = nullptr) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }

  std::vector<std::unique_ptr<Block>> blocks;
};

}  // namespace bg
