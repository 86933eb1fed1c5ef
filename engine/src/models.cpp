// BabyGPT v1–v11 (bg/models.h): the PyTorch course's models on the engine's modules.
#include "bg/models.h"

#include <string>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"

namespace bg {

const ModelVersion& ModelConfig::model_version() const { return bg::model_version(model); }

bool ModelConfig::has_heads() const {
  const ModelVersion* m = find_model_version(model);
  return m != nullptr && m->has_heads();
}

bool ModelConfig::has_blocks() const {
  const ModelVersion* m = find_model_version(model);
  return m != nullptr && m->has_blocks();
}

bool ModelConfig::has_dropout() const {
  const ModelVersion* m = find_model_version(model);
  return m != nullptr && m->dropout;
}

void ModelConfig::validate() const {
  model_version();  // an unknown model: bg::Error naming it and listing the versions
  auto positive = [](const char* name, int64_t v) {
    if (v <= 0) throw Error(std::string(name) + " must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", vocab_size);
  positive("block_size", block_size);
  positive("n_embed", n_embed);
  if (has_heads()) {
    positive("n_head", n_head);
    if (n_embed % n_head != 0) {
      throw Error("n_embed " + std::to_string(n_embed) + " is not divisible by n_head " +
                  std::to_string(n_head) + " (each head gets n_embed / n_head dimensions)");
    }
  }
  if (has_blocks()) positive("n_layer", n_layer);
  if (n_kv_head != 0) {
    if (!model_version().grouped_kv) {
      throw Error("n_kv_head: " + model + " has no grouped-query attention (versions with W^O: " +
                  grouped_kv_version_names() + ")");
    }
    positive("n_kv_head", n_kv_head);
    if (n_head % n_kv_head != 0) {
      throw Error("n_head " + std::to_string(n_head) + " is not divisible by n_kv_head " +
                  std::to_string(n_kv_head) +
                  " (each key/value head serves n_head / n_kv_head query heads)");
    }
  }
  if (!(dropout >= 0.0f && dropout < 1.0f)) {
    throw Error("dropout must be in [0, 1), got " + shortest_text(dropout));
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

}  // namespace

PositionalModel::PositionalModel(const ModelConfig& c, Generator& gen)
    : LanguageModel(c),
      token_embedding_table(c.vocab_size, c.n_embed, gen),
      position_embedding_table(c.block_size, c.n_embed, gen) {
  register_module("token_embedding_table", token_embedding_table);
  register_module("position_embedding_table", position_embedding_table);
}

Tensor PositionalModel::embed(std::span<const int32_t> idx, int64_t B, int64_t T) const {
  check_input(config_, idx, B, T, true);
  return add_positions(token_embedding_table.forward(idx, {B, T}),  // (B, T, C)
                       position_embedding_table.weight);
}

namespace {

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

}  // namespace

// ---- v3: v2 + one causal self-attention head of size n_embed.
BabyGPTv3::BabyGPTv3(const ModelConfig& c, Generator& gen)
    : PositionalModel(c, gen),
      sa_head(c.n_embed, c.n_embed, c.block_size, gen),
      lm_head_(c.n_embed, c.vocab_size, true, gen) {
  register_module("sa_head", sa_head);
  register_module("lm_head", lm_head_);
}

Tensor BabyGPTv3::features(std::span<const int32_t> idx, int64_t B, int64_t T) const {
  return sa_head(embed(idx, B, T));  // (B, T, C) -> (B, T, C)
}

std::vector<Tensor> BabyGPTv3::attention_maps(std::span<const int32_t> idx, int64_t T) const {
  NoGradGuard no_grad;
  Tensor wei;  // (1, T, T)
  sa_head.forward(embed(idx, 1, T), &wei);
  return {reshape(wei, {T, T})};
}

// ---- v4: v2 + n_head heads of size n_embed / n_head, concatenated (no output projection).
BabyGPTv4::BabyGPTv4(const ModelConfig& c, Generator& gen)
    : PositionalModel(c, gen),
      sa_heads(c.n_embed, c.n_head, c.block_size, gen),
      lm_head_(c.n_embed, c.vocab_size, true, gen) {
  register_module("sa_heads", sa_heads);
  register_module("lm_head", lm_head_);
}

Tensor BabyGPTv4::features(std::span<const int32_t> idx, int64_t B, int64_t T) const {
  return sa_heads(embed(idx, B, T));  // (B, T, C) -> (B, T, C)
}

std::vector<Tensor> BabyGPTv4::attention_maps(std::span<const int32_t> idx, int64_t T) const {
  NoGradGuard no_grad;
  std::vector<Tensor> weights;  // one (1, T, T) per head
  sa_heads.forward(embed(idx, 1, T), &weights);
  for (Tensor& w : weights) w = reshape(w, {T, T});
  return weights;
}

BlockConfig GPT::block_config(const ModelConfig& c) {
  const ModelVersion& m = c.model_version();
  BlockConfig b;
  b.n_embed = c.n_embed;
  b.n_head = c.n_head;
  b.block_size = c.block_size;
  b.kind = m.block_kind;
  b.projection = m.projection;
  b.dropout = m.dropout ? c.dropout : 0.0f;
  b.n_kv_head = c.n_kv_head;
  return b;
}

GPT::GPT(const ModelConfig& c, Generator& gen) : PositionalModel(c, gen) {
  // Created (weights drawn from gen) and registered in the order of the PyTorch reference.
  const ModelVersion& m = c.model_version();
  if (m.body == Body::single) {
    sa_heads = std::make_unique<MultiHeadAttention>(c.n_embed, c.n_head, c.block_size, gen);
    register_module("sa_heads", *sa_heads);
    ffwd = std::make_unique<FeedForward>(c.n_embed, m.ffwd_width == 4, 0.0f, gen);
    register_module("ffwd", *ffwd);
  } else {
    blocks = std::make_unique<Blocks>(c.n_layer, block_config(c), gen);
    register_module("blocks", *blocks);
  }
  if (m.ln_final) {
    ln_final = std::make_unique<LayerNorm>(c.n_embed);
    register_module("ln_final", *ln_final);
  }
  lm_head_ = std::make_unique<Linear>(c.n_embed, c.vocab_size, true, gen);
  register_module("lm_head", *lm_head_);
}

Tensor GPT::body(const Tensor& x, std::vector<std::vector<Tensor>>* weights) const {
  Tensor h = x;  // (B, T, C)
  if (sa_heads) {
    if (weights != nullptr) {
      weights->emplace_back();
      h = ffwd->forward(sa_heads->forward(h, &weights->back()));
    } else {
      h = ffwd->forward(sa_heads->forward(h));
    }
  } else {
    h = blocks->forward(h, weights);
  }
  if (ln_final) h = ln_final->forward(h);
  return h;
}

Tensor GPT::features(std::span<const int32_t> idx, int64_t B, int64_t T) const {
  return body(embed(idx, B, T), nullptr);  // (B, T, C)
}

std::vector<Tensor> GPT::attention_maps(std::span<const int32_t> idx, int64_t T) const {
  NoGradGuard no_grad;
  std::vector<std::vector<Tensor>> layers;  // [layer][head], each (1, T, T)
  body(embed(idx, 1, T), &layers);
  std::vector<Tensor> maps;
  for (auto& layer : layers) {
    for (Tensor& w : layer) maps.push_back(reshape(w, {T, T}));
  }
  return maps;
}

std::unique_ptr<LanguageModel> make_model(const ModelConfig& config, Generator& gen) {
  config.validate();
  const ModelVersion& m = config.model_version();
  if (m.body != Body::none) return std::make_unique<GPT>(config, gen);
  switch (m.attention) {
    case Attention::none:
      if (!m.position_table) return std::make_unique<BabyGPTv1>(config, gen);
      return std::make_unique<BabyGPTv2>(config, gen);
    case Attention::one_head:
      return std::make_unique<BabyGPTv3>(config, gen);
    case Attention::heads:
      return std::make_unique<BabyGPTv4>(config, gen);
  }
  throw Error("make_model: no module for " + config.model);
}

Tensor own_features(const LanguageModel& model, std::span<const int32_t> idx, int64_t B,
                    int64_t T) {
  return model.features(idx, B, T);
}

Tensor model_loss(const LanguageModel& model, const Batch& batch, FeaturesFn features) {
  const int64_t n = batch.B * batch.T;
  if (static_cast<int64_t>(batch.x.size()) != n || static_cast<int64_t>(batch.y.size()) != n) {
    throw Error("model_loss: a batch of (B, T) = (" + std::to_string(batch.B) + ", " +
                std::to_string(batch.T) + ") needs " + std::to_string(n) +
                " inputs and targets, got " + std::to_string(batch.x.size()) + " and " +
                std::to_string(batch.y.size()));
  }
  // The features are flattened to rows before lm_head, so the big (B·T, V) logits come out in
  // the 2-D shape cross_entropy takes, with no copy.
  const Tensor x = features(model, batch.x, batch.B, batch.T);  // (B, T, C)
  return cross_entropy(model.lm_head()(reshape(x, {n, model.config().n_embed})), batch.y);
}

}  // namespace bg
