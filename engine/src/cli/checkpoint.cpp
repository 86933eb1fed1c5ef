// Checkpoints of the babygpt program: a model, its config and its vocabulary in one
// .safetensors file (bg/cli/checkpoint.h).
#include "bg/cli/checkpoint.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "bg/cli/flags.h"
#include "bg/cli/model_cost.h"
#include "bg/io/numbers.h"
#include "bg/io/safetensors.h"
#include "bg/shape.h"

namespace bg::cli {

namespace {

int64_t meta_int(const SafetensorsFile& file, const std::filesystem::path& path,
                 const std::string& key, int64_t max) {
  const std::string* text = nullptr;
  try {
    text = &file.meta(key);
  } catch (const Error&) {
    throw Error(path.string() + ": not a babygpt checkpoint: the metadata has no '" + key + "'");
  }
  int64_t v = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (text->empty() || ec != std::errc() || ptr != end || v <= 0) {
    throw Error(path.string() + ": metadata " + key + " must be a positive integer, got '" + *text +
                "'");
  }
  if (v > max) {
    throw Error(path.string() + ": metadata " + key + " " + std::to_string(v) +
                " is too large (at most " + std::to_string(max) + ")");
  }
  return v;
}

// The dropout probability as the PyTorch reference writes it (str(float)): "0.2", "0.0".
std::string dropout_text(float p) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p);  // shortest text that reads back
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// The metadata "dropout": a number in [0, 1).
float meta_dropout(const std::string& text, const std::filesystem::path& path) {
  float v = 0.0f;
  if (parse_decimal(text, v) != NumberStatus::ok || !(v >= 0.0f && v < 1.0f)) {
    throw Error(path.string() + ": metadata dropout must be a number in [0, 1), got '" + text +
                "'");
  }
  return v;
}

// The first few names, and how many there are when that is not all of them: a header that
// claims 1024 layers lacks thousands of tensors, and the message must stay readable.
std::string some_of(const std::vector<std::string>& names) {
  constexpr size_t kShown = 8;
  std::string s;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) s += (i > 0 ? ", " : "") + names[i];
  if (names.size() > kShown) {
    s += " and " + std::to_string(names.size() - kShown) + " more (" +
         std::to_string(names.size()) + " in all)";
  }
  return s;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const LanguageModel& model,
                     const CharTokenizer& tokenizer) {
  const ModelConfig& c = model.config();
  if (tokenizer.vocab_size() != c.vocab_size) {
    throw Error("cannot save " + path.string() + ": the vocabulary holds " +
                std::to_string(tokenizer.vocab_size()) +
                " characters but the model's vocab_size is " + std::to_string(c.vocab_size));
  }
  std::map<std::string, std::string> metadata = {
      {"model", c.model},
      {"vocab_size", std::to_string(c.vocab_size)},
      {"block_size", std::to_string(c.block_size)},
      {"n_embed", std::to_string(c.n_embed)},
      {"n_head", std::to_string(c.n_head)},
      {"n_layer", std::to_string(c.n_layer)},
      {"dropout", dropout_text(c.dropout)},
      {"vocab", tokenizer.vocab_string()},
  };
  // Only a grouped model says how many key/value heads it has: a checkpoint of every other
  // model stays byte for byte what it was before lesson 14.
  if (c.grouped()) metadata["n_kv_head"] = std::to_string(c.n_kv_head);
  save_safetensors(path, model.named_parameters(), metadata);
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  return checkpoint_from(load_safetensors(path), path);
}

Checkpoint checkpoint_from(const SafetensorsFile& file, const std::filesystem::path& path) {
  const std::string where = path.string() + ": ";
  Checkpoint ck;
  try {
    ck.config.model = file.meta("model");
  } catch (const Error&) {
    throw Error(where + "not a babygpt checkpoint: the metadata has no 'model'");
  }
  ck.config.vocab_size = meta_int(file, path, "vocab_size", kMaxVocabSize);
  ck.config.block_size = meta_int(file, path, "block_size", kMaxBlockSize);
  ck.config.n_embed = meta_int(file, path, "n_embed", kMaxEmbed);
  ck.config.n_head = meta_int(file, path, "n_head", kMaxEmbed);
  // n_layer and dropout came with v6 and v10: checkpoints of earlier versions written before
  // then lack them, and do not need them.
  if (file.metadata.count("n_layer") || ck.config.has_blocks()) {
    ck.config.n_layer = meta_int(file, path, "n_layer", kMaxLayers);
  }
  if (file.metadata.count("n_kv_head")) {
    ck.config.n_kv_head = meta_int(file, path, "n_kv_head", kMaxEmbed);
  }
  if (file.metadata.count("dropout")) {
    ck.config.dropout = meta_dropout(file.meta("dropout"), path);
  } else if (ck.config.has_dropout()) {
    throw Error(where + "not a babygpt checkpoint: the metadata has no 'dropout'");
  }
  try {
    ck.config.validate();
  } catch (const Error& e) {
    throw Error(where + "bad config in the metadata: " + e.what());
  }
  std::string vocab;
  try {
    vocab = file.meta("vocab");
  } catch (const Error&) {
    throw Error(where + "not a babygpt checkpoint: the metadata has no 'vocab'");
  }
  try {
    ck.tokenizer = CharTokenizer::from_vocab(vocab);
  } catch (const Error& e) {
    throw Error(where + "bad vocabulary in the metadata: " + e.what());
  }
  if (ck.tokenizer.vocab_size() != ck.config.vocab_size) {
    throw Error(where + "the vocabulary holds " + std::to_string(ck.tokenizer.vocab_size()) +
                " characters but vocab_size says " + std::to_string(ck.config.vocab_size));
  }

  std::string config_text =
      ck.config.model + " config (vocab_size " + std::to_string(ck.config.vocab_size) +
      ", block_size " + std::to_string(ck.config.block_size) + ", n_embed " +
      std::to_string(ck.config.n_embed) + ", n_head " + std::to_string(ck.config.n_head);
  if (ck.config.grouped()) config_text += ", n_kv_head " + std::to_string(ck.config.n_kv_head);
  if (ck.config.has_blocks()) config_text += ", n_layer " + std::to_string(ck.config.n_layer);
  config_text += ")";
  // The model is built before its tensors are compared, so its size must be known to fit what
  // the file holds first: metadata claiming a huge model must not allocate it. A small model is
  // cheap to build, and comparing its tensors below names the one that differs.
  double held = 0;
  for (const auto& [name, t] : file.tensors) held += static_cast<double>(t.numel());
  const double needed = parameter_count(ck.config);
  if (needed > held && needed > double(1 << 20)) {
    throw Error(where + "the " + config_text + " has " + std::to_string(int64_t(needed)) +
                " parameters but the file holds " + std::to_string(int64_t(held)) +
                " values: the metadata does not describe these tensors");
  }

  Generator gen(0);  // the initial values are overwritten below
  ck.model = make_model(ck.config, gen);
  const auto params = ck.model->named_parameters();
  std::vector<std::string> missing, unexpected;
  std::set<std::string> known;
  for (const auto& [name, t] : params) {
    known.insert(name);
    if (file.find(name) == nullptr) missing.push_back(name);
  }
  for (const auto& [name, t] : file.tensors) {
    if (!known.count(name)) unexpected.push_back(name);
  }
  if (!missing.empty()) {
    throw Error(where + "missing tensors for the " + config_text + ": " + some_of(missing));
  }
  if (!unexpected.empty()) {
    throw Error(where + "unexpected tensors for the " + config_text + ": " + some_of(unexpected));
  }
  for (auto& [name, param] : params) {
    const Tensor& stored = file.at(name);
    if (stored.shape() != param.shape()) {
      throw Error(where + "tensor " + name + " has shape " + shape_str(stored.shape()) + ", the " +
                  config_text + " needs " + shape_str(param.shape()));
    }
    const auto values = stored.data();
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) {
        throw Error(where + "tensor " + name + " holds a non-finite value (" +
                    std::to_string(values[i]) + ") at index " + std::to_string(i));
      }
    }
    Tensor p = param;  // a handle to the model's parameter
    std::copy(stored.data().begin(), stored.data().end(), p.data().begin());
  }
  ck.model->eval();  // a loaded model is used, not trained: no dropout
  return ck;
}

std::string broken_checkpoint_message(const std::filesystem::path& path, const std::string& what,
                                      double value) {
  const std::string shown = std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
  return path.string() + ": " + what + " not finite (" + shown +
         "), so the checkpoint is broken: its weights are finite but so large that the model's "
         "arithmetic overflows";
}

}  // namespace bg::cli
