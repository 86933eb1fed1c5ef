// BabyGPT v1–v11, exactly the PyTorch course's models (lessons 05–12; what each version has is
// its row of the versions' table, bg/model_versions.h).
//
//   v1  logits = lm_head(token_embedding_table(idx))
//   v2  x = token_embedding_table(idx) + position_embedding_table(arange(T));  lm_head(x)
//   v3  v2 + one causal self-attention Head of size n_embed:   lm_head(sa_head(x))
//   v4  v2 + MultiHeadAttention, n_head heads of size n_embed / n_head, concatenated:
//       lm_head(sa_heads(x))                                    (no output projection)
//   v5  v4 + feed-forward Linear(C, C) + ReLU:                 lm_head(ffwd(sa_heads(x)))
//   v6  n_layer blocks, each attention then feed-forward (lesson 09), no residual:
//       lm_head(blocks(x))
//   v7  v6 with a residual connection around each sub-layer of a block (lesson 10)
//   v8  v7 + output projection W^O (sa.proj), feed-forward C -> 4C -> C
//   v9  v8 + pre-norm LayerNorms ln1, ln2 in each block and ln_final before lm_head
//   v10 v9 + dropout (attention weights, after proj, after the feed-forward)
//   v11 v10 at the course's large configuration (the same model; only the sizes differ)
//
// Parameter names are those of the PyTorch state_dict: token_embedding_table.weight,
// position_embedding_table.weight, sa_head.{key,query,value}.weight (v3),
// sa_heads.heads.<i>.{key,query,value}.weight (v4, v5), ffwd.net.0.weight (v5),
// blocks.<l>.sa.heads.<i>.key.weight, blocks.<l>.sa.proj.weight, blocks.<l>.ffwd.net.0.weight,
// blocks.<l>.ffwd.net.2.weight, blocks.<l>.ln1.weight (v6+), ln_final.weight (v9+),
// lm_head.weight, lm_head.bias.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bg/blocks.h"
#include "bg/model_versions.h"
#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

struct ModelConfig {
  std::string model = "v4";  // "v1" … "v11"
  int64_t vocab_size = 0;
  int64_t block_size = 8;
  int64_t n_embed = 32;
  int64_t n_head = 4;
  int64_t n_layer = 3;   // blocks, v6+
  float dropout = 0.0f;  // v10+
  // Key/value heads of grouped-query attention (lesson 14, v8+): 0 means n_head, every head
  // its own keys and values (the course's model); K < n_head, dividing it, shares each
  // key/value head among n_head / K query heads.
  int64_t n_kv_head = 0;
  // bg::Error naming the problem: unknown model, sizes not positive, n_embed not divisible
  // by n_head (v4+), n_kv_head set for a version without grouped-query attention or not
  // dividing n_head, dropout outside [0, 1).
  void validate() const;
  // The row of kModelVersions (bg/model_versions.h) named model: what the version has. The
  // code reads that, never a version number. bg::Error for an unknown model.
  const ModelVersion& model_version() const;
  // What the version uses (false for an unknown model): attention heads (v4+ as a list),
  // blocks (v6+), dropout (v10+).
  bool has_heads() const;
  bool has_blocks() const;
  bool has_dropout() const;
  // Key/value heads per attention layer: n_kv_head when set, else n_head.
  int64_t kv_heads() const { return n_kv_head != 0 ? n_kv_head : n_head; }
  // Whether the attention is grouped: fewer key/value heads than heads.
  bool grouped() const { return kv_heads() != n_head; }
};

// A batch of token ids: x and y are (B, T) row-major; y is x shifted by one position.
struct Batch {
  std::vector<int32_t> x, y;
  int64_t B = 0, T = 0;
};

class LanguageModel : public Module {
 public:
  // idx (B, T) token ids, T <= block_size (v1 accepts any T) -> logits (B, T, vocab_size):
  // lm_head(features(idx)).
  Tensor forward(std::span<const int32_t> idx, int64_t B, int64_t T) const;
  // What the model feeds its lm_head: (B, T, n_embed). Every version differs only here.
  virtual Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const = 0;
  // The last layer, shared by every version: Linear(n_embed, vocab_size).
  virtual const Linear& lm_head() const = 0;
  // The causal attention weights of one sequence idx (T ids), one (T, T) tensor per head
  // (rows: query positions, columns: key positions), computed without recording a graph,
  // layer after layer (layer 0's heads, then layer 1's, …); empty for v1/v2. For the
  // attention pictures: call eval() first, or dropout (v10+) changes them.
  virtual std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const;
  const ModelConfig& config() const { return config_; }

 protected:
  explicit LanguageModel(ModelConfig c) : config_(std::move(c)) {}
  ModelConfig config_;
};

// What v2 … v11 share: a token table and a position table, added.
class PositionalModel : public LanguageModel {
 public:
  // x = token_embedding_table(idx) + position_embedding_table(arange(T)): (B, T, C).
  // bg::Error when idx is not a (B, T) batch or T > block_size.
  Tensor embed(std::span<const int32_t> idx, int64_t B, int64_t T) const;

  Embedding token_embedding_table;
  Embedding position_embedding_table;

 protected:
  PositionalModel(const ModelConfig& c, Generator& gen);
};

// BabyGPT v3: v2 + one causal self-attention head of size n_embed. The members are public so
// that generation with a KV cache (lesson 13) can walk them.
class BabyGPTv3 : public PositionalModel {
 public:
  BabyGPTv3(const ModelConfig& c, Generator& gen);
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override;
  const Linear& lm_head() const override { return lm_head_; }
  std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const override;

  Head sa_head;

 private:
  Linear lm_head_;
};

// BabyGPT v4: v2 + n_head heads of size n_embed / n_head, concatenated (no output projection).
class BabyGPTv4 : public PositionalModel {
 public:
  BabyGPTv4(const ModelConfig& c, Generator& gen);
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override;
  const Linear& lm_head() const override { return lm_head_; }
  std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const override;

  MultiHeadAttention sa_heads;

 private:
  Linear lm_head_;
};

// BabyGPT v5 … v11: the heads followed by a feed-forward (v5), then n_layer Blocks (v6+) whose
// kind follows the version (plain v6, residual v7–v8, prenorm v9+), then ln_final (v9+).
// The members are public so that generation with a KV cache (lesson 13) can walk them.
class GPT : public PositionalModel {
 public:
  GPT(const ModelConfig& c, Generator& gen);
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override;
  const Linear& lm_head() const override { return *lm_head_; }
  std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const override;
  // The configuration of every block of this version.
  static BlockConfig block_config(const ModelConfig& c);

  std::unique_ptr<MultiHeadAttention> sa_heads;  // v5
  std::unique_ptr<FeedForward> ffwd;             // v5
  std::unique_ptr<Blocks> blocks;                // v6+
  std::unique_ptr<LayerNorm> ln_final;           // v9+

 private:
  // x (B, T, C) after the embedding -> what lm_head reads (B, T, C).
  Tensor body(const Tensor& x, std::vector<std::vector<Tensor>>* weights) const;
  std::unique_ptr<Linear> lm_head_;
};

std::unique_ptr<LanguageModel> make_model(const ModelConfig& config,
                                          Generator& gen = default_generator());

// A way to compute what a model feeds its lm_head, (B, T, n_embed) for idx (B, T). The
// functions below that run a model take one; by default it is own_features, the model's own
// forward. The babygpt program passes the fast engine's instead (bg/fast/fast_model.h), which
// computes the same numbers on the same parameters with coarser ops.
using FeaturesFn = Tensor (*)(const LanguageModel& model, std::span<const int32_t> idx, int64_t B,
                              int64_t T);
// model.features(idx, B, T).
Tensor own_features(const LanguageModel& model, std::span<const int32_t> idx, int64_t B, int64_t T);

// Mean cross-entropy of the model on a batch (the course's loss).
Tensor model_loss(const LanguageModel& model, const Batch& batch,
                  FeaturesFn features = own_features);

}  // namespace bg
