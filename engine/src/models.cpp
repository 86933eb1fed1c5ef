// BabyGPT v1–v4 (bg/models.h): the PyTorch course's four models on the engine's modules.
#include "bg/models.h"

#include <string>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

void ModelConfig::validate() const {
  if (model != "v1" && model != "v2" && model != "v3" && model != "v4") {
    throw Error("unknown model '" + model + "' (expected v1, v2, v3 or v4)");
  }
  auto positive = [](const char* name, int64_t v) {
    if (v <= 0) throw Error(std::string(name) + " must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", vocab_size);
  positive("block_size", block_size);
  positive("n_embed", n_embed);
  if (model == "v4") {
    positive("n_head", n_head);
    if (n_embed % n_head != 0) {
      throw Error("n_embed " + std::to_string(n_embed) + " is not divisible by n_head " +
                  std::to_string(n_head) + " (each head gets n_embed / n_head dimensions)");
    }
  }
}

std::vector<Tensor> LanguageModel::attention_maps(std::span<const int32_t>, int64_t) const {
  return {};
}

Tensor LanguageModel::forward(std::span<const int32_t> idx, int64_t B, int64_t T) const {
  return lm_head()(features(idx, B, T));  // (B, T, C) -> (B, T, V)
}

namespace {

// Checks idx against (B, T) and, for models with a position table, T <= block_size.
void check_input(const ModelConfig& c, std::span<const int32_t> idx, int64_t B, int64_t T,
                 bool positional) {
  if (B <= 0 || T <= 0 || static_cast<int64_t>(idx.size()) != B * T) {
    throw Error("BabyGPT " + c.model + ": " + std::to_string(idx.size()) +
                " token ids do not form a (B, T) = (" + std::to_string(B) + ", " +
                std::to_string(T) + ") batch");
  }
  if (positional && T > c.block_size) {
    throw Error("BabyGPT " + c.model + ": sequence length T = " + std::to_string(T) +
                " exceeds block_size " + std::to_string(c.block_size) +
                " (crop the context to the last block_size tokens)");
  }
}

// v1, the bigram model: each token's logits depend on that token alone.
class BabyGPTv1 : public LanguageModel {
 public:
  BabyGPTv1(const ModelConfig& c, Generator& gen)
      : LanguageModel(c),
        token_embedding_table(c.vocab_size, c.n_embed, gen),
        lm_head_(c.n_embed, c.vocab_size, true, gen) {
    register_module("token_embedding_table", token_embedding_table);
    register_module("lm_head", lm_head_);
  }
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override {
    check_input(config_, idx, B, T, false);
    return token_embedding_table.forward(idx, {B, T});  // (B, T, C)
  }
  const Linear& lm_head() const override { return lm_head_; }

 private:
  Embedding token_embedding_table;
  Linear lm_head_;
};

// What v2, v3 and v4 share: a token table and a position table, added.
class PositionalModel : public LanguageModel {
 protected:
  PositionalModel(const ModelConfig& c, Generator& gen)
      : LanguageModel(c),
        token_embedding_table(c.vocab_size, c.n_embed, gen),
        position_embedding_table(c.block_size, c.n_embed, gen) {
    register_module("token_embedding_table", token_embedding_table);
    register_module("position_embedding_table", position_embedding_table);
  }
  // x = token_embedding_table(idx) + position_embedding_table(arange(T)): (B, T, C)
  Tensor embed(std::span<const int32_t> idx, int64_t B, int64_t T) const {
    check_input(config_, idx, B, T, true);
    return add_positions(token_embedding_table.forward(idx, {B, T}),
                         position_embedding_table.weight);
  }

 private:
  Embedding token_embedding_table;
  Embedding position_embedding_table;
};

// v2: token embedding + position embedding.
class BabyGPTv2 : public PositionalModel {
 public:
  BabyGPTv2(const ModelConfig& c, Generator& gen)
      : PositionalModel(c, gen), lm_head_(c.n_embed, c.vocab_size, true, gen) {
    register_module("lm_head", lm_head_);
  }
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override {
    return embed(idx, B, T);  // (B, T, C)
  }
  const Linear& lm_head() const override { return lm_head_; }

 private:
  Linear lm_head_;
};

// v3: v2 + one causal self-attention head of size n_embed.
class BabyGPTv3 : public PositionalModel {
 public:
  BabyGPTv3(const ModelConfig& c, Generator& gen)
      : PositionalModel(c, gen),
        sa_head(c.n_embed, c.n_embed, c.block_size, gen),
        lm_head_(c.n_embed, c.vocab_size, true, gen) {
    register_module("sa_head", sa_head);
    register_module("lm_head", lm_head_);
  }
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override {
    return sa_head(embed(idx, B, T));  // (B, T, C) -> (B, T, C)
  }
  const Linear& lm_head() const override { return lm_head_; }
  std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const override {
    NoGradGuard no_grad;
    Tensor wei;  // (1, T, T)
    sa_head.forward(embed(idx, 1, T), &wei);
    return {reshape(wei, {T, T})};
  }

 private:
  Head sa_head;
  Linear lm_head_;
};

// v4: v2 + n_head heads of size n_embed / n_head, concatenated (no output projection).
class BabyGPTv4 : public PositionalModel {
 public:
  BabyGPTv4(const ModelConfig& c, Generator& gen)
      : PositionalModel(c, gen),
        sa_heads(c.n_embed, c.n_head, c.block_size, gen),
        lm_head_(c.n_embed, c.vocab_size, true, gen) {
    register_module("sa_heads", sa_heads);
    register_module("lm_head", lm_head_);
  }
  Tensor features(std::span<const int32_t> idx, int64_t B, int64_t T) const override {
    return sa_heads(embed(idx, B, T));  // (B, T, C) -> (B, T, C)
  }
  const Linear& lm_head() const override { return lm_head_; }
  std::vector<Tensor> attention_maps(std::span<const int32_t> idx, int64_t T) const override {
    NoGradGuard no_grad;
    std::vector<Tensor> weights;  // one (1, T, T) per head
    sa_heads.forward(embed(idx, 1, T), &weights);
    for (Tensor& w : weights) w = reshape(w, {T, T});
    return weights;
  }

 private:
  MultiHeadAttention sa_heads;
  Linear lm_head_;
};

}  // namespace

std::unique_ptr<LanguageModel> make_model(const ModelConfig& config, Generator& gen) {
  config.validate();
  if (config.model == "v1") return std::make_unique<BabyGPTv1>(config, gen);
  if (config.model == "v2") return std::make_unique<BabyGPTv2>(config, gen);
  if (config.model == "v3") return std::make_unique<BabyGPTv3>(config, gen);
  return std::make_unique<BabyGPTv4>(config, gen);
}

Tensor model_loss(const LanguageModel& model, const Batch& batch) {
  const int64_t n = batch.B * batch.T;
  if (static_cast<int64_t>(batch.x.size()) != n || static_cast<int64_t>(batch.y.size()) != n) {
    throw Error("model_loss: a batch of (B, T) = (" + std::to_string(batch.B) + ", " +
                std::to_string(batch.T) + ") needs " + std::to_string(n) +
                " inputs and targets, got " + std::to_string(batch.x.size()) + " and " +
                std::to_string(batch.y.size()));
  }
  // The features are flattened to rows before lm_head, so the big (B·T, V) logits come out in
  // the 2-D shape cross_entropy takes, with no copy.
  const Tensor x = model.features(batch.x, batch.B, batch.T);  // (B, T, C)
  return cross_entropy(model.lm_head()(reshape(x, {n, model.config().n_embed})), batch.y);
}

}  // namespace bg
