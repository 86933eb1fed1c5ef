// What several commands of the babygpt program share (engine/src/cli/commands/): the versions'
// table in the words of help texts and messages, the model flags of train and bench, numbers
// for messages, text files and output directories, and sampling with or without the KV cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bg/cli/commands.h"
#include "bg/cli/flags.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/model_versions.h"
#include "bg/models.h"
#include "bg/random.h"
#include "bg/text.h"

namespace bg::cli {

// ---- the versions' table in words ------------------------------------------------------------

// "v1..v11": the first and the last version of the table.
std::string version_range();
// "v1, v2, … v11": the first two versions of the table and the last.
std::string version_choices();
// The first version of the table that `has` holds for ("v6" for has_blocks).
std::string first_version_with(bool (*has)(const ModelVersion& version));

// The text of a course value in a help line: "32", "0.01", "0.0003" (the shortest decimal that
// reads back as the same float, never in scientific notation).
std::string course_value_text(int64_t value);
std::string course_value_text(float value);

// "default 32; v11: 64": the course's value of `field` for the default model `model` (or, when
// `applies` does not hold for it, for the first version it holds for), then that of every other
// version `applies` holds for whose value differs, in the table's order. A null `applies` holds
// for every version.
template <class T>
std::string course_values(std::string_view model, T VersionDefaults::*field,
                          bool (*applies)(const ModelVersion&) = nullptr) {
  auto used = [&](const ModelVersion& m) { return applies == nullptr || applies(m); };
  const ModelVersion* base = find_model_version(model);
  if (base == nullptr || !used(*base)) {
    base = nullptr;
    for (const ModelVersion& m : kModelVersions) {
      if (used(m)) {
        base = &m;
        break;
      }
    }
  }
  if (base == nullptr) return "";
  std::string text = "default " + course_value_text(base->defaults.*field);
  for (const ModelVersion& m : kModelVersions) {
    if (used(m) && m.defaults.*field != base->defaults.*field) {
      text += "; " + std::string(m.name) + ": " + course_value_text(m.defaults.*field);
    }
  }
  return text;
}

// ---- the model flags of train and bench ------------------------------------------------------

// --model, --batch-size, --block-size, --n-embed, --n-head, --n-kv-head, --n-layer, --dropout,
// --lr and
// --seed, which train and bench share (their options have fields of the same names): the
// version's course defaults first, then the flags given, then the checks that need both.
template <class Options>
void parse_model_flags(const ParsedFlags& p, Options& o) {
  if (const auto* v = p.get("model")) o.model = *v;
  const CourseDefaults d = course_defaults(o.model);
  o.batch_size = d.batch_size;
  o.block_size = d.block_size;
  o.n_embed = d.n_embed;
  o.n_head = d.n_head;
  o.n_layer = d.n_layer;
  o.lr = d.lr;
  o.dropout = d.dropout;
  ModelConfig version;
  version.model = o.model;
  if (const auto* v = p.get("batch-size"))
    o.batch_size = parse_int("batch-size", *v, 1, kMaxBatchSize);
  if (const auto* v = p.get("block-size"))
    o.block_size = parse_int("block-size", *v, 1, kMaxBlockSize);
  if (const auto* v = p.get("n-embed")) o.n_embed = parse_int("n-embed", *v, 1, kMaxEmbed);
  if (const auto* v = p.get("n-head")) {
    o.n_head = parse_int("n-head", *v, 1, kMaxEmbed);
    if (!version.has_heads()) {
      throw UsageError("--n-head applies to " +
                       first_version_with([](const ModelVersion& m) { return m.has_heads(); }) +
                       " and later; " + o.model +
                       (version.model_version().has_attention()
                            ? " has one attention head of size n_embed"
                            : " has no attention"));
    }
  }
  if (const auto* v = p.get("n-kv-head")) {
    o.n_kv_head = parse_int("n-kv-head", *v, 1, kMaxEmbed);
    if (!version.model_version().grouped_kv) {
      throw UsageError("--n-kv-head applies to " + grouped_kv_version_names() + "; " + o.model +
                       " has no output projection W^O for grouped-query attention");
    }
  }
  if (const auto* v = p.get("n-layer")) {
    o.n_layer = parse_int("n-layer", *v, 1, kMaxLayers);
    if (!version.has_blocks()) {
      throw UsageError("--n-layer applies to " +
                       first_version_with([](const ModelVersion& m) { return m.has_blocks(); }) +
                       " and later; " + o.model + " has no blocks to stack");
    }
  }
  if (const auto* v = p.get("dropout")) {
    o.dropout = parse_number("dropout", *v);
    if (o.dropout == 0.0f) o.dropout = 0.0f;  // "-0" is no dropout, stored and shown as 0
    if (!(o.dropout >= 0.0f && o.dropout < 1.0f)) {
      throw UsageError("--dropout must be in [0, 1) (the probability of zeroing a value), got " +
                       in_quotes(*v));
    }
    if (!version.has_dropout()) {
      throw UsageError("--dropout applies to " +
                       first_version_with([](const ModelVersion& m) { return m.dropout; }) +
                       " and later; " + o.model + " has no dropout");
    }
  }
  if (const auto* v = p.get("lr")) o.lr = parse_number("lr", *v, true);
  if (const auto* v = p.get("seed")) o.seed = parse_seed("seed", *v);
  if (version.has_heads() && o.n_embed % o.n_head != 0) {
    throw UsageError("--n-embed " + std::to_string(o.n_embed) + " is not divisible by --n-head " +
                     std::to_string(o.n_head) +
                     " (each of the n_head heads gets n_embed / n_head dimensions)");
  }
  if (o.n_kv_head != 0 && o.n_head % o.n_kv_head != 0) {
    throw UsageError("--n-head " + std::to_string(o.n_head) + " is not divisible by --n-kv-head " +
                     std::to_string(o.n_kv_head) +
                     " (each key/value head serves n_head / n_kv_head query heads)");
  }
  if (o.n_kv_head == o.n_head) o.n_kv_head = 0;  // every head its own: today's model, same bits
}

// ---- numbers for messages --------------------------------------------------------------------

// "2062731" -> "2,062,731"
std::string grouped(int64_t n);
// `v` with `decimals` digits after the point: fixed(3.14159, 2) is "3.14".
std::string fixed(double v, int decimals);

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t);

// ---- files -----------------------------------------------------------------------------------

// Whether `path`, given as `what` ("--data"), can be read: bg::Error "<what> <path> does not
// exist", "... is a directory, not a file" or "... cannot be opened: <the cause>" (a loop of
// symbolic links, no permission) otherwise.
void check_input_file(const std::filesystem::path& path, const std::string& what);
// A text file's bytes, after check_input_file(path, what).
std::string read_text(const std::filesystem::path& path, const std::string& what);
// Creates `dir` and its parents (nothing for an empty path); bg::Error naming it when it cannot.
void make_directory(const std::filesystem::path& dir);

// ---- models and text -------------------------------------------------------------------------

// The token ids of `text`; a bg::Error that does not fit the vocabulary is prefixed "<what>: ".
std::vector<int32_t> encode_or_explain(const CharTokenizer& tok, const std::string& text,
                                       const std::string& what);
// "v6 (vocab_size …, block_size …, n_embed …, n_head …, n_layer …, 2,062,731 parameters)": the
// sizes of the config that its version uses (n_head, n_layer and dropout only where they count).
std::string describe(const ModelConfig& config, int64_t parameters);

// Generation with the KV cache (lesson 13) while `kv_cache` is true, else the whole window every
// step, its features computed by `features`. In babygpt_mine before lesson 13 the learner's cache
// is still a stub: its first call throws before any token is drawn, so this says so on
// console.err, clears `kv_cache` and draws the same text without it. `on_token` sees each new
// token as it is drawn and stops the generation by returning false (bg::generate_with).
std::vector<int32_t> generate_text(const LanguageModel& model, const std::vector<int32_t>& context,
                                   const SampleOptions& options, Generator& gen, bool& kv_cache,
                                   FeaturesFn features, Console& console,
                                   const std::function<bool(int32_t)>& on_token = {});

}  // namespace bg::cli
