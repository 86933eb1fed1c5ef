// BabyGPT v1–v4, exactly the PyTorch course's models (see DESIGN.md §2 and lessons 05–08).
//
//   v1  logits = lm_head(token_embedding_table(idx))
//   v2  x = token_embedding_table(idx) + position_embedding_table(arange(T));  lm_head(x)
//   v3  v2 + one causal self-attention Head of size n_embed:   lm_head(sa_head(x))
//   v4  v2 + MultiHeadAttention, n_head heads of size n_embed / n_head, concatenated:
//       lm_head(sa_heads(x))                                    (no output projection)
//
// Parameter names are those of the PyTorch state_dict: token_embedding_table.weight,
// position_embedding_table.weight, sa_head.{key,query,value}.weight (v3),
// sa_heads.heads.<i>.{key,query,value}.weight (v4), lm_head.weight, lm_head.bias.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bg/module.h"
#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

struct ModelConfig {
  std::string model = "v4";  // "v1" … "v4"
  int64_t vocab_size = 0;
  int64_t block_size = 8;
  int64_t n_embed = 32;
  int64_t n_head = 4;
  // bg::Error naming the problem: unknown model, sizes not positive, n_embed not divisible
  // by n_head (v4).
  void validate() const;
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
  // (rows: query positions, columns: key positions), computed without recording a graph;
  // empty for v1/v2. For the attention pictures.
  virtual std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const;
  const ModelConfig& config() const { return config_; }

 protected:
  explicit LanguageModel(ModelConfig c) : config_(std::move(c)) {}
  ModelConfig config_;
};

std::unique_ptr<LanguageModel> make_model(const ModelConfig& config,
                                          Generator& gen = default_generator());

// Mean cross-entropy of the model on a batch (the course's loss).
Tensor model_loss(const LanguageModel& model, const Batch& batch);

}  // namespace bg
