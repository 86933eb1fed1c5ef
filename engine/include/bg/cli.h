// The babygpt command-line program, as a library: flag parsing, the commands, the training
// loop and its progress display. engine/src/cli/main.cpp only calls bg::cli::run, so every
// part of the program can be tested without starting a process.
//
//   babygpt <command> [flags]        commands: prepare-data, train, sample, eval, attention
//
// Flags are written "--name value" or "--name=value"; "--help" (or "-h") works on the program
// and on every command. Exit status: 0 success, 1 bad input (a missing file, invalid UTF-8, a
// mismatched checkpoint, a non-finite loss ...), 2 a usage error (an unknown or malformed
// flag, a missing required flag).
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bg/error.h"
#include "bg/io/safetensors.h"
#include "bg/model_versions.h"
#include "bg/models.h"
#include "bg/text.h"

namespace bg::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A mistake in how the program was called (exit status 2). The message names the flag.
class UsageError : public Error {
 public:
  using Error::Error;
};

// ---- flag parsing ---------------------------------------------------------------------------

struct Flag {
  std::string name;        // without the dashes: "iters"
  std::string value_name;  // shown in the help: "N"; empty for a switch that takes no value
  std::string help;        // one line, defaults included
  bool repeatable = false;
};

struct ParsedFlags {
  bool help = false;  // --help or -h was given (parsing stopped there)
  // Every flag given, in order, with its value ("" for a switch).
  std::vector<std::pair<std::string, std::string>> values;
  bool has(std::string_view name) const;
  // The value of a flag that is given at most once, or nullptr.
  const std::string* get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
};

// Parses the arguments after the command name. Throws UsageError for an unknown flag, a
// positional argument, a flag without its value, a value given to a switch, or a
// non-repeatable flag given twice. `command` is only used in messages.
ParsedFlags parse_flags(std::string_view command, std::span<const std::string> args,
                        std::span<const Flag> flags);

// Typed values of flags; UsageError naming the flag when `text` is not a number of the kind
// or is outside [min, max].
int64_t parse_int(std::string_view flag, std::string_view text, int64_t min = INT64_MIN,
                  int64_t max = INT64_MAX);
uint64_t parse_seed(std::string_view flag, std::string_view text);
// A decimal number read straight into the float the program uses (bg/io/numbers.h), greater than
// 0 when `strictly_positive`. A number too large for a float, or one that is not zero but
// rounds to 0 or to a subnormal float, is refused: it would not survive as the value asked for.
float parse_number(std::string_view flag, std::string_view text, bool strictly_positive = false);

// The largest sizes the program accepts, from flags and from checkpoint metadata alike.
inline constexpr int64_t kMaxVocabSize = int64_t{1} << 24;
inline constexpr int64_t kMaxBlockSize = int64_t{1} << 16;
inline constexpr int64_t kMaxEmbed = int64_t{1} << 16;  // n_embed, and n_head with it
inline constexpr int64_t kMaxLayers = int64_t{1} << 10;
inline constexpr int64_t kMaxBatchSize = int64_t{1} << 20;
inline constexpr int64_t kMaxNewTokens = int64_t{1} << 24;  // --tokens, --sample-tokens

// ---- which forward the program runs ----------------------------------------------------------

// How the program computes a model's losses and logits: `lesson` calls the model's own
// forward, the lessons' modules op by op (babygpt_mine, on the learner's code); `fast` runs
// the fast engine on the same model's parameters (bg/fast/fast_model.h; babygpt). The same
// seed gives the same bits either way. Generation with the KV cache (bg/kv_cache.h) and the
// attention pictures do not depend on it.
enum class Engine { lesson, fast };
// own_features or fast::features.
FeaturesFn features_of(Engine engine);

// ---- the commands' options (defaults are the course's) ---------------------------------------

// The PyTorch course's hyper-parameters of a version, which train and bench start from
// (explicit flags override them): its row of the versions' table (bg/model_versions.h).
using CourseDefaults = VersionDefaults;
// UsageError for a model other than v1 … v11.
CourseDefaults course_defaults(std::string_view model);

struct PrepareDataOptions {
  bool help = false;
  std::filesystem::path out = "data/ci.txt";
  std::filesystem::path tarball;  // empty: fetch it with npm
};

struct TrainOptions {
  bool help = false;
  std::string model = "v4";
  std::filesystem::path data = "data/ci.txt";
  std::filesystem::path out;  // empty: runs/<model>
  int64_t iters = 5000;
  int64_t batch_size = 32;
  int64_t block_size = 8;
  int64_t n_embed = 32;
  int64_t n_head = 4;
  int64_t n_layer = 3;   // blocks, v6+
  float dropout = 0.0f;  // v10+
  float lr = 1e-2f;
  int64_t eval_interval = 200;
  int64_t eval_iters = 100;
  uint64_t seed = 1337;  // the PyTorch course's torch.manual_seed(1337)
  int64_t sample_tokens = 200;
  Engine engine = Engine::lesson;  // not a flag: the program's choice (run)
  std::filesystem::path out_dir() const {
    return out.empty() ? std::filesystem::path("runs") / model : out;
  }
  ModelConfig config(int64_t vocab_size) const;
};

struct SampleCommandOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::vector<std::string> prompts = {"春江", "往事"};
  int64_t tokens = 200;
  float temperature = 1.0f;
  int64_t top_k = 0;  // 0: off
  uint64_t seed = 1337;
  bool kv_cache = true;  // false: --no-kv-cache (bg::generate instead of bg::generate_cached)
  Engine engine = Engine::lesson;  // not a flag: the program's choice (run)
};

struct EvalOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::filesystem::path data;
  std::string split = "val";       // train | val | all
  Engine engine = Engine::lesson;  // not a flag: the program's choice (run)
};

struct AttentionOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::string prompt;
  std::filesystem::path out;
};

struct BenchOptions {
  bool help = false;
  std::string model = "v4";
  std::filesystem::path data;  // empty: data/ci.txt if it exists, else random tokens
  int64_t vocab_size = 6104;   // for random tokens (the ci corpus has 6,104 characters)
  int64_t iters = 50;          // measured steps
  int64_t warmup = 5;          // steps before measuring (buffers, caches, thread pool)
  int64_t batch_size = 32;
  int64_t block_size = 8;
  int64_t n_embed = 32;
  int64_t n_head = 4;
  int64_t n_layer = 3;   // blocks, v6+
  float dropout = 0.0f;  // v10+
  float lr = 1e-2f;
  int threads = 0;  // 0: try 1 .. hardware threads and keep the fastest
  uint64_t seed = 1337;
  std::string kernels;             // "fast" or "lesson"; empty: the program's own, `engine`
  Engine engine = Engine::lesson;  // not a flag: the program's choice (run)
  ModelConfig config(int64_t vocab) const;
};

// Each parses the flags after its command name; UsageError on any mistake, including
// required flags that are missing. train and bench start from course_defaults(--model) and
// refuse n_embed not divisible by n_head (v4+), --n-layer below 1 or before v6, and --dropout
// outside [0, 1) or before v10 (those versions have no blocks / no dropout).
PrepareDataOptions parse_prepare_data_args(std::span<const std::string> args);
TrainOptions parse_train_args(std::span<const std::string> args);
SampleCommandOptions parse_sample_args(std::span<const std::string> args);
EvalOptions parse_eval_args(std::span<const std::string> args);
AttentionOptions parse_attention_args(std::span<const std::string> args);
BenchOptions parse_bench_args(std::span<const std::string> args);

// The help text of the program ("") or of one command.
std::string usage(std::string_view command = "");

// ---- progress --------------------------------------------------------------------------------

// "0:07", "3:25", "1:02:03" (seconds rounded down); "--:--" for a negative or non-finite value.
std::string format_duration(double seconds);

// What one progress line shows.
struct Progress {
  int64_t step = 0;   // steps done
  int64_t total = 0;  // steps in all
  double tokens_per_second = 0.0;
  double elapsed = 0.0;  // seconds since training started
};
// The estimated time left: the average time per step so far times the steps left.
double eta_seconds(const Progress& p);
// "step 200/5000 | train 5.1234 | val 5.2345 | 61.2k tok/s | elapsed 0:04 | ETA 1:40"
std::string format_eval_line(const Progress& p, double train_loss, double val_loss);
// "step 123/5000 | 61.2k tok/s | elapsed 0:02 | ETA 1:41" (the in-place line between evals)
std::string format_progress_line(const Progress& p);

// ---- checkpoints ----------------------------------------------------------------------------

// A trained model with everything needed to use it.
struct Checkpoint {
  ModelConfig config;
  CharTokenizer tokenizer;
  std::unique_ptr<LanguageModel> model;
};

// The model's named_parameters (PyTorch state_dict names) and the metadata model,
// vocab_size, block_size, n_embed, n_head, n_layer, dropout and vocab (the vocabulary's
// characters in id order), all strings as the PyTorch reference writes them, written
// atomically as .safetensors. bg::Error when the tokenizer's vocabulary size is not the
// model's.
void save_checkpoint(const std::filesystem::path& path, const LanguageModel& model,
                     const CharTokenizer& tokenizer);

// Reads and checks a checkpoint (ours or one PyTorch wrote in the same layout) and returns
// its model in eval mode (no dropout): bg::Error naming the file for a missing or truncated
// file, missing or malformed metadata (n_layer may be absent before v6 and dropout before
// v10, as in checkpoints written before those versions existed), a
// vocabulary that disagrees with vocab_size, tensors the model needs but the file lacks or
// the file has but the model does not know, and shapes that disagree with the config.
Checkpoint load_checkpoint(const std::filesystem::path& path);
// The same for a .safetensors file already read; `path` only names it in messages.
Checkpoint checkpoint_from(const SafetensorsFile& file, const std::filesystem::path& path);

// ---- the commands ----------------------------------------------------------------------------

// Where a command writes: `out` for results, `err` for diagnostics and speed. `interactive`:
// `out` is a terminal, so training may redraw an in-place progress line.
struct Console {
  std::ostream& out;
  std::ostream& err;
  bool interactive = false;
};

// What a training run ended with.
struct TrainResult {
  int64_t steps = 0;  // steps done (fewer than asked when interrupted)
  bool interrupted = false;
  double train_loss = 0.0;  // the last estimate
  double val_loss = 0.0;
  double seconds = 0.0;
  // What was written: model.safetensors; model.interrupted.safetensors when an interrupted run
  // found one already there (it is kept); empty when Ctrl-C came before the first step.
  std::filesystem::path checkpoint;
  std::vector<std::string> samples;  // one text per prompt, prompt included
};

// The commands. Each throws bg::Error on bad input (the caller prints it and exits 1).
// train checks before its first step that the step fits in memory
// (check_step_fits_in_memory) and that model.safetensors, loss.svg and samples.txt can be
// written in its output directory.
void prepare_data(const PrepareDataOptions& options, Console& console);
TrainResult train(const TrainOptions& options, Console& console);
// Returns the generated texts, prompts included, in prompt order.
std::vector<std::string> sample(const SampleCommandOptions& options, Console& console);
double evaluate(const EvalOptions& options, Console& console);  // the loss it printed last
void attention(const AttentionOptions& options, Console& console);

// What `babygpt bench` measured (times in milliseconds, medians over the measured steps).
struct BenchResult {
  int threads = 1;
  double ms_median = 0, ms_p10 = 0, ms_p90 = 0, ms_min = 0, ms_max = 0;
  double forward_ms = 0, backward_ms = 0, optimizer_ms = 0;
  double tokens_per_second = 0;
  double flops_per_step = 0;  // forward + backward, counted from the model's matrix products
  double gflops = 0;
  double peak_gflops = 0;  // the machine's, measured by peak_gflops() on `threads` threads
  double peak_rss_mb = 0;
};
BenchResult bench(const BenchOptions& options, Console& console);

// What this machine's cores can do at best, in GFLOP/s: each of `threads` threads runs
// independent chains of fused multiply-adds on 16-float vectors for about 0.3 s — no memory
// traffic, no dependencies the pipelines must wait for, compiled with the same flags as the
// kernels. A matrix product can approach it but never pass it.
double peak_gflops(int threads);

// Floating-point operations of one training step of `config` on B x T tokens: 2 per
// multiply-add of every matrix product in the forward pass, times 3 for forward + backward
// (the backward pass of a product costs two products of the same size). Elementwise work
// (softmax, layer norm, ReLU, dropout, residual adds, AdamW) is not counted. With N = B·T
// tokens, C = n_embed, V = vocab_size, the multiply-adds of the forward pass are
//   lm_head                                  N·C·V          (every version)
//   per attention layer (v3+):
//     key, query, value (all heads together)  3·N·C²
//     scores q·kᵀ and weights·v               2·B·T²·C     (summed over the heads: hs·n_head = C)
//     output projection W^O (v8+)             N·C²
//   per feed-forward (v5+): C -> C (v5–v7)    N·C²,   C -> 4C -> C (v8+)  8·N·C²
// v3 and v4 have one attention layer, v5 one attention layer and one feed-forward, v6+ n_layer
// of each. The scores are counted over the full T×T square, as the kernels compute them (the
// causal mask is applied afterwards), not just the causal half.
double training_flops(const ModelConfig& config, int64_t B, int64_t T);

// The number of parameters of `config`'s model, counted without building it (as a double, so
// that absurd configs do not overflow): what a checkpoint must hold before the model is made.
double parameter_count(const ModelConfig& config);

// bg::Error, naming --batch-size and --block-size, when one training step of `config` on
// B x T tokens cannot fit in this machine's memory: at least 16 bytes per parameter (value,
// gradient, AdamW's two moments) and 4 bytes per float of the embeddings (B·T·n_embed) and
// of the logits with their gradient (2·B·T·vocab_size) — a lower bound, checked before the
// first step instead of failing with "out of memory" after a long time.
void check_step_fits_in_memory(const ModelConfig& config, int64_t B, int64_t T);

// ---- the program -----------------------------------------------------------------------------

// Runs `babygpt args...` (args without the program name), writing to out and err, and returns
// the exit status. Never throws: errors are printed to err. `engine` is what train, eval,
// sample and bench (without --kernels) compute with: babygpt passes Engine::fast,
// babygpt_mine Engine::lesson (engine/src/cli/main.cpp, main_mine.cpp).
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err,
        bool interactive = false, Engine engine = Engine::lesson);

}  // namespace bg::cli
