// Flag parsing and the help texts of the babygpt program (see bg/cli.h).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "bg/cli.h"
#include "bg/io/numbers.h"

namespace bg::cli {

namespace {

// A value in quotes for a message; a very long one is cut ("'1000000000…' (300 characters)").
std::string in_quotes(std::string_view s) {
  constexpr size_t kShown = 24;
  if (s.size() <= kShown + 8) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kShown)) + "…' (" + std::to_string(s.size()) +
         " characters)";
}

std::string see_help(std::string_view command) {
  return " (see 'babygpt " + std::string(command) + " --help')";
}

// ---- the flags of each command ----

const std::vector<Flag>& prepare_data_flags() {
  static const std::vector<Flag> flags = {
      {"out", "FILE", "where to write the corpus (default data/ci.txt)"},
      {"tarball", "FILE",
       "use this chinese-poetry-2.0.1.tgz instead of fetching it with 'npm pack'"},
  };
  return flags;
}

const std::vector<Flag>& train_flags() {
  static const std::vector<Flag> flags = {
      {"model", "v1..v11",
       "which BabyGPT (default v4); the size flags below default to that version's course "
       "values"},
      {"data", "FILE", "UTF-8 training text (default data/ci.txt)"},
      {"out", "DIR", "where to write the checkpoint, loss.svg, samples.txt (default runs/<model>)"},
      {"iters", "N", "training steps (default 5000)"},
      {"batch-size", "N", "sequences per batch (default 32; v11: 64)"},
      {"block-size", "N", "context length in characters (default 8; v11: 256)"},
      {"n-embed", "N", "embedding size (default 32; v11: 384)"},
      {"n-head", "N", "attention heads, v4+; must divide n-embed (default 4; v11: 6)"},
      {"n-layer", "N", "blocks of attention + feed-forward, v6+ (default 3; v11: 6)"},
      {"dropout", "P", "dropout probability in [0, 1), v10+ (default 0.2)"},
      {"lr", "X", "AdamW learning rate (default 0.01; v11: 0.0003)"},
      {"eval-interval", "N", "estimate the losses every N steps and at the end (default 200)"},
      {"eval-iters", "N", "batches per split for each estimate (default 100)"},
      {"seed", "N",
       "seed of the weights, the batches, the dropout masks and the samples (default 1337)"},
      {"sample-tokens", "N", "characters to write for each prompt at the end (default 200)"},
  };
  return flags;
}

const std::vector<Flag>& sample_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors written by 'babygpt train' (required)"},
      {"prompt", "TEXT", "start of the text; repeat for several (default 春江 and 往事)", true},
      {"tokens", "N", "characters to generate per prompt (default 200)"},
      {"temperature", "X", "divides the logits; lower is more conservative (default 1.0)"},
      {"top-k", "K", "sample among the K most likely characters only; 0 = off (default 0)"},
      {"seed", "N", "seed of the sampling (default 1337)"},
      {"no-kv-cache", "", "recompute the whole context for every character (same text, slower)"},
  };
  return flags;
}

const std::vector<Flag>& eval_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors (required)"},
      {"data", "FILE", "the UTF-8 text to evaluate on (required)"},
      {"split", "train|val|all", "first 90%, last 10% or all of the text (default val)"},
  };
  return flags;
}

const std::vector<Flag>& attention_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors of v3 or later (required)"},
      {"prompt", "TEXT", "the text to look at; only its last block_size characters (required)"},
      {"out", "FILE.svg",
       "where to draw the attention of every head of every layer, one row per layer (required)"},
  };
  return flags;
}

// The flags that describe the model and its optimisation, shared by train and bench.
const Flag* train_flag(std::string_view name) {
  for (const Flag& f : train_flags()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const std::vector<Flag>& bench_flags() {
  static const std::vector<Flag> flags = [] {
    std::vector<Flag> f = {
        *train_flag("model"),
        {"data", "FILE",
         "UTF-8 training text (default data/ci.txt if it exists, else random tokens)"},
        {"vocab-size", "N", "vocabulary of the random tokens used without a text (default 6104)"},
        {"iters", "N", "measured training steps (default 50)"},
        {"warmup", "N", "steps run before measuring (default 5)"},
    };
    for (const char* shared :
         {"batch-size", "block-size", "n-embed", "n-head", "n-layer", "dropout", "lr"}) {
      f.push_back(*train_flag(shared));
    }
    f.push_back({"threads", "N",
                 "threads for the kernels; 0 = try each count, keep the fastest (default 0)"});
    f.push_back(
        {"seed", "N", "seed of the weights, the batches and the dropout masks (default 1337)"});
    f.push_back({"kernels", "fast|lesson",
                 "the engine's coarse kernels, or the lessons' modules op by op (default: fast "
                 "in babygpt, lesson in babygpt_mine)"});
    return f;
  }();
  return flags;
}

struct Command {
  const char* name;
  const char* summary;
  const std::vector<Flag>& (*flags)();
};

const Command kCommands[] = {
    {"prepare-data", "fetch the ci poetry corpus and write it as one UTF-8 text",
     prepare_data_flags},
    {"train", "train a BabyGPT and write its checkpoint, loss curve and samples", train_flags},
    {"sample", "write text with a trained model", sample_flags},
    {"eval", "the exact mean loss of a trained model on a text", eval_flags},
    {"attention", "draw the weights of every attention head on a prompt (v3+)", attention_flags},
    {"bench", "measure training speed: ms/step, tokens/s, GFLOP/s, memory", bench_flags},
};

const Command* find_command(std::string_view name) {
  for (const auto& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

const std::vector<Flag>& flags_of(std::string_view command) {
  const Command* c = find_command(command);
  if (c == nullptr) throw Error("unknown command '" + std::string(command) + "'");
  return c->flags();
}

std::string require(const ParsedFlags& p, std::string_view command, std::string_view flag,
                    std::string_view value_name) {
  const std::string* v = p.get(flag);
  if (v == nullptr) {
    throw UsageError("--" + std::string(flag) + " " + std::string(value_name) + " is required" +
                     see_help(command));
  }
  if (v->empty()) throw UsageError("--" + std::string(flag) + " must not be empty");
  return *v;
}

}  // namespace

// ---- ParsedFlags ----

bool ParsedFlags::has(std::string_view name) const {
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
}

const std::string* ParsedFlags::get(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [n, v] : values) {
    if (n == name) found = &v;
  }
  return found;
}

std::vector<std::string> ParsedFlags::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : values) {
    if (n == name) out.push_back(v);
  }
  return out;
}

ParsedFlags parse_flags(std::string_view command, std::span<const std::string> args,
                        std::span<const Flag> flags) {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      return parsed;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      throw UsageError("unexpected argument " + in_quotes(arg) +
                       " (flags are written --name value)" + see_help(command));
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    auto flag =
        std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags.end()) {
      throw UsageError("unknown flag --" + name + see_help(command));
    }
    std::string value;
    if (flag->value_name.empty()) {
      if (eq != std::string::npos) throw UsageError("flag --" + name + " takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      // "--tokens" at the end, or followed by another flag, lacks its value. A value that
      // merely starts with a dash ("-1") is still a value.
      if (i + 1 >= args.size() || args[i + 1].compare(0, 2, "--") == 0) {
        throw UsageError("flag --" + name + " needs a value: --" + name + " " + flag->value_name);
      }
      value = args[++i];
    }
    if (!flag->repeatable && parsed.has(name)) {
      throw UsageError("flag --" + name + " is given twice");
    }
    parsed.values.emplace_back(name, std::move(value));
  }
  return parsed;
}

// ---- typed values ----

int64_t parse_int(std::string_view flag, std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    throw UsageError("--" + std::string(flag) + " expects an integer, got " + in_quotes(text));
  }
  const std::string name = "--" + std::string(flag);
  if (ec == std::errc::result_out_of_range) {
    throw UsageError(name + " is out of range, got " + in_quotes(text));
  }
  if (v < min) {
    throw UsageError(name + " must be at least " + std::to_string(min) + ", got " +
                     in_quotes(text));
  }
  if (v > max) {
    throw UsageError(name + " must be at most " + std::to_string(max) + ", got " + in_quotes(text));
  }
  return v;
}

uint64_t parse_seed(std::string_view flag, std::string_view text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw UsageError("--" + std::string(flag) + " expects a non-negative integer below 2^64, got " +
                     in_quotes(text));
  }
  return v;
}

float parse_number(std::string_view flag, std::string_view text, bool strictly_positive) {
  const std::string name = "--" + std::string(flag);
  float v = 0.0f;
  const NumberStatus status = parse_decimal(text, v);
  if (status == NumberStatus::invalid) {
    throw UsageError(name + " expects a number, got " + in_quotes(text));
  }
  if (status == NumberStatus::overflow) {
    throw UsageError(name + " is too large for a float (at most " +
                     shortest_text(std::numeric_limits<float>::max()) + "), got " +
                     in_quotes(text));
  }
  if (status == NumberStatus::underflow || (v != 0.0f && std::fpclassify(v) == FP_SUBNORMAL)) {
    throw UsageError(name + " is too small for a float (the smallest is " +
                     shortest_text(std::numeric_limits<float>::min()) + "), got " +
                     in_quotes(text));
  }
  if (strictly_positive && !(v > 0.0f)) {
    throw UsageError(name + " must be greater than 0, got " + in_quotes(text));
  }
  return v;
}

// ---- the commands ----

CourseDefaults course_defaults(std::string_view model) {
  const ModelVersion* m = find_model_version(model);
  if (m == nullptr) {
    throw UsageError("--model must be one of v1, v2, … v11, got " + in_quotes(model));
  }
  return m->defaults;
}

ModelConfig TrainOptions::config(int64_t vocab_size) const {
  return {model, vocab_size, block_size, n_embed, n_head, n_layer, dropout};
}

PrepareDataOptions parse_prepare_data_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("prepare-data", args, prepare_data_flags());
  PrepareDataOptions o;
  o.help = p.help;
  if (const auto* v = p.get("out")) {
    if (v->empty()) throw UsageError("--out must not be empty");
    o.out = *v;
  }
  if (const auto* v = p.get("tarball")) {
    if (v->empty()) throw UsageError("--tarball must not be empty");
    o.tarball = *v;
  }
  return o;
}

namespace {

// --model, --batch-size, --block-size, --n-embed, --n-head, --n-layer, --dropout, --lr and
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
  if (const auto* v = p.get("n-head")) o.n_head = parse_int("n-head", *v, 1, kMaxEmbed);
  if (const auto* v = p.get("n-layer")) {
    o.n_layer = parse_int("n-layer", *v, 1, kMaxLayers);
    if (!version.has_blocks()) {
      throw UsageError("--n-layer applies to v6 and later; " + o.model + " has no blocks to stack");
    }
  }
  if (const auto* v = p.get("dropout")) {
    o.dropout = parse_number("dropout", *v);
    if (!(o.dropout >= 0.0f && o.dropout < 1.0f)) {
      throw UsageError("--dropout must be in [0, 1) (the probability of zeroing a value), got " +
                       in_quotes(*v));
    }
    if (!version.has_dropout()) {
      throw UsageError("--dropout applies to v10 and later; " + o.model + " has no dropout");
    }
  }
  if (const auto* v = p.get("lr")) o.lr = parse_number("lr", *v, true);
  if (const auto* v = p.get("seed")) o.seed = parse_seed("seed", *v);
  if (version.has_heads() && o.n_embed % o.n_head != 0) {
    throw UsageError("--n-embed " + std::to_string(o.n_embed) + " is not divisible by --n-head " +
                     std::to_string(o.n_head) +
                     " (each of the n_head heads gets n_embed / n_head dimensions)");
  }
}

}  // namespace

TrainOptions parse_train_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("train", args, train_flags());
  TrainOptions o;
  o.help = p.help;
  if (o.help) return o;
  if (const auto* v = p.get("data")) {
    if (v->empty()) throw UsageError("--data must not be empty");
    o.data = *v;
  }
  if (const auto* v = p.get("out")) {
    if (v->empty()) throw UsageError("--out must not be empty");
    o.out = *v;
  }
  constexpr int64_t kBig = int64_t{1} << 40;
  if (const auto* v = p.get("iters")) o.iters = parse_int("iters", *v, 1, kBig);
  if (const auto* v = p.get("eval-interval")) {
    o.eval_interval = parse_int("eval-interval", *v, 1, kBig);
  }
  if (const auto* v = p.get("eval-iters")) o.eval_iters = parse_int("eval-iters", *v, 1, kBig);
  if (const auto* v = p.get("sample-tokens")) {
    o.sample_tokens = parse_int("sample-tokens", *v, 0, kMaxNewTokens);
  }
  parse_model_flags(p, o);
  return o;
}

SampleCommandOptions parse_sample_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("sample", args, sample_flags());
  SampleCommandOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "sample", "checkpoint", "FILE");
  if (p.has("prompt")) o.prompts = p.all("prompt");
  if (const auto* v = p.get("tokens")) o.tokens = parse_int("tokens", *v, 0, kMaxNewTokens);
  if (const auto* v = p.get("temperature")) o.temperature = parse_number("temperature", *v, true);
  if (const auto* v = p.get("top-k")) o.top_k = parse_int("top-k", *v, 0);
  if (const auto* v = p.get("seed")) o.seed = parse_seed("seed", *v);
  o.kv_cache = !p.has("no-kv-cache");
  return o;
}

EvalOptions parse_eval_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("eval", args, eval_flags());
  EvalOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "eval", "checkpoint", "FILE");
  o.data = require(p, "eval", "data", "FILE");
  if (const auto* v = p.get("split")) {
    if (*v != "train" && *v != "val" && *v != "all") {
      throw UsageError("--split must be train, val or all, got " + in_quotes(*v));
    }
    o.split = *v;
  }
  return o;
}

AttentionOptions parse_attention_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("attention", args, attention_flags());
  AttentionOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "attention", "checkpoint", "FILE");
  o.prompt = require(p, "attention", "prompt", "TEXT");
  o.out = require(p, "attention", "out", "FILE.svg");
  return o;
}

BenchOptions parse_bench_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("bench", args, bench_flags());
  BenchOptions o;
  o.help = p.help;
  if (o.help) return o;
  if (const auto* v = p.get("data")) {
    if (v->empty()) throw UsageError("--data must not be empty");
    o.data = *v;
  }
  constexpr int64_t kBig = int64_t{1} << 40;
  if (const auto* v = p.get("vocab-size"))
    o.vocab_size = parse_int("vocab-size", *v, 2, kMaxVocabSize);
  if (const auto* v = p.get("iters")) o.iters = parse_int("iters", *v, 1, kBig);
  if (const auto* v = p.get("warmup")) o.warmup = parse_int("warmup", *v, 0, kBig);
  if (const auto* v = p.get("threads")) {
    o.threads = static_cast<int>(parse_int("threads", *v, 0, 256));
  }
  if (const auto* v = p.get("kernels")) {
    if (*v != "fast" && *v != "lesson") {
      throw UsageError("--kernels must be fast or lesson, got " + in_quotes(*v));
    }
    o.kernels = *v;
  }
  parse_model_flags(p, o);
  return o;
}

std::string usage(std::string_view command) {
  std::ostringstream s;
  if (command.empty()) {
    s << "babygpt — train a small GPT on classical Chinese ci poetry, on an engine written from\n"
         "scratch in C++.\n\n"
         "usage: babygpt <command> [flags]\n\ncommands:\n";
    for (const auto& c : kCommands) {
      s << "  " << c.name << std::string(14 - std::string_view(c.name).size(), ' ') << c.summary
        << "\n";
    }
    s << "\nFlags are written --name value or --name=value. 'babygpt <command> --help' lists\n"
         "a command's flags. Exit status: 0 ok, 1 bad input, 2 bad usage.\n"
         "A first run:\n"
         "  babygpt prepare-data && babygpt train && babygpt sample --checkpoint "
         "runs/v4/model.safetensors\n";
    return s.str();
  }
  const Command* c = find_command(command);
  if (c == nullptr) throw Error("unknown command '" + std::string(command) + "'");
  s << "usage: babygpt " << c->name << " [flags]\n\n" << c->summary << ".\n\nflags:\n";
  std::vector<std::string> left;
  size_t width = 0;
  for (const auto& f : flags_of(command)) {
    std::string l = "--" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  left.push_back("--help");
  const auto& flags = flags_of(command);
  for (size_t i = 0; i < left.size(); ++i) {
    const std::string help = i < flags.size() ? flags[i].help : "show this help";
    s << "  " << left[i] << std::string(width - left[i].size() + 2, ' ') << help << "\n";
  }
  return s.str();
}

}  // namespace bg::cli
