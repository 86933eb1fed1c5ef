// The commands of the babygpt program, one file each in engine/src/cli/commands/: each one's
// options (defaults are the course's), the parser of its flags, what it does and the two
// functions of its row in the table (bg/cli/program.h): its flags and its main.
//
// Each parser reads the flags after its command's name; UsageError on any mistake, including
// required flags that are missing. The commands throw bg::Error on bad input (run() prints it
// and exits 1).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bg/cli/flags.h"
#include "bg/cli/program.h"
#include "bg/head_study.h"
#include "bg/model_versions.h"
#include "bg/models.h"

namespace bg::cli {

// The PyTorch course's hyper-parameters of a version, which train and bench start from
// (explicit flags override them): its row of the versions' table (bg/model_versions.h).
using CourseDefaults = VersionDefaults;
// UsageError for a model that is not in the versions' table.
CourseDefaults course_defaults(std::string_view model);

// ---- prepare-data (commands/prepare_data.cpp) ------------------------------------------------

struct PrepareDataOptions {
  bool help = false;
  std::filesystem::path out = "data/ci.txt";
  std::filesystem::path tarball;  // empty: fetch it with npm
};
PrepareDataOptions parse_prepare_data_args(std::span<const std::string> args);
void prepare_data(const PrepareDataOptions& options, Console& console);
const std::vector<Flag>& prepare_data_flags();
int prepare_data_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- train (commands/train.cpp) --------------------------------------------------------------

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
  int64_t n_kv_head = 0;  // key/value heads, versions with grouped_kv; 0: n_head (lesson 14)
  int64_t n_layer = 3;    // blocks (versions with Body::blocks)
  float dropout = 0.0f;   // versions with dropout layers
  float lr = 1e-2f;
  int64_t eval_interval = 200;
  int64_t eval_iters = 100;
  uint64_t seed = 1337;  // the PyTorch course's torch.manual_seed(1337)
  int64_t sample_tokens = 200;
  Engine engine = Engine::lesson;  // not a flag: run's `engine` (the program's choice)
  std::filesystem::path out_dir() const {
    return out.empty() ? std::filesystem::path("runs") / model : out;
  }
  ModelConfig config(int64_t vocab_size) const;
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

// train starts from course_defaults(--model) and refuses n_embed not divisible by n_head
// (versions with several heads), --n-head for a version without several heads, --n-layer below
// 1 or for a version without blocks, and --dropout outside [0, 1) or for a version without
// dropout. Before its first step it checks that the step and the text's tokens fit in memory
// (check_step_fits_in_memory) and that model.safetensors, loss.svg and samples.txt can be
// written in its output directory. Ctrl-C during the closing samples stops them (interrupted:
// the checkpoint is written, samples is incomplete and samples.txt is not written).
TrainOptions parse_train_args(std::span<const std::string> args);
TrainResult train(const TrainOptions& options, Console& console);
const std::vector<Flag>& train_flags();
// kExitInterrupted when Ctrl-C stopped the run.
int train_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- sample (commands/sample.cpp) ------------------------------------------------------------

struct SampleCommandOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::vector<std::string> prompts = {"春江", "往事"};
  int64_t tokens = 200;
  float temperature = 1.0f;
  int64_t top_k = 0;  // 0: off
  uint64_t seed = 1337;
  bool kv_cache = true;  // false: --no-kv-cache (bg::generate instead of bg::generate_cached)
  std::vector<HeadId> prune_heads;  // heads removed (gate 0) before sampling, lesson 14
  Engine engine = Engine::lesson;   // not a flag: run's `engine` (the program's choice)
};
SampleCommandOptions parse_sample_args(std::span<const std::string> args);
// Returns the generated texts, prompts included, in prompt order.
std::vector<std::string> sample(const SampleCommandOptions& options, Console& console);
const std::vector<Flag>& sample_flags();
int sample_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- eval (commands/eval.cpp) ----------------------------------------------------------------

struct EvalOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::filesystem::path data;
  std::string split = "val";        // train | val | all
  std::vector<HeadId> prune_heads;  // heads removed (gate 0) before evaluating, lesson 14
  Engine engine = Engine::lesson;   // not a flag: run's `engine` (the program's choice)
};
EvalOptions parse_eval_args(std::span<const std::string> args);
double evaluate(const EvalOptions& options, Console& console);  // the loss it printed last
const std::vector<Flag>& eval_flags();
int eval_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- attention (commands/attention.cpp) ------------------------------------------------------

struct AttentionOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::string prompt;
  std::filesystem::path out;
  // The picture's bounds: a head of T characters is T x T cells, so a long prompt on a deep
  // model makes an SVG no browser opens (256 characters on v11: 288 MB). The model looks at the
  // prompt's last max_chars characters, and the picture holds max_heads heads at most (whole
  // layers from the first while a layer fits).
  int64_t max_chars = 32;
  int64_t max_heads = 36;  // every head of the course's v11 (6 layers of 6)
};
AttentionOptions parse_attention_args(std::span<const std::string> args);
void attention(const AttentionOptions& options, Console& console);
const std::vector<Flag>& attention_flags();
int attention_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- heads (commands/heads.cpp) -------------------------------------------------------------

struct HeadsOptions {
  bool help = false;
  std::filesystem::path checkpoint;
  std::filesystem::path data = "data/ci.txt";
  std::filesystem::path out;       // default: heads/ beside the checkpoint
  int64_t windows = 0;             // head roles over this many windows; 0 = the whole split
  Engine engine = Engine::lesson;  // not a flag: run's `engine` (the program's choice)
};
struct HeadsResult {
  std::vector<HeadRole> roles;  // layer * n_head + head
  HeadAblation ablation;
};
// Lesson 14: the head roles over the validation split of --data (roles.md, roles.svg), every
// head removed alone and then the least costly first, cumulatively, with the validation loss of
// each (ablation.md, pruning.svg). bg::Error for a version without W^O (v1-v7).
HeadsOptions parse_heads_args(std::span<const std::string> args);
HeadsResult heads(const HeadsOptions& options, Console& console);
const std::vector<Flag>& heads_flags();
// --prune-heads L.H,…: the heads, or UsageError quoting the part that is not L.H. (Whether they
// exist is checked against the model, bg::Error naming the head.)
std::vector<HeadId> parse_prune_heads(const std::string& text);
int heads_main(std::span<const std::string> args, Console& console, Engine engine);

// ---- bench (commands/bench.cpp) --------------------------------------------------------------

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
  int64_t n_kv_head = 0;  // key/value heads, versions with grouped_kv; 0: n_head (lesson 14)
  int64_t n_layer = 3;    // blocks (versions with Body::blocks)
  float dropout = 0.0f;   // versions with dropout layers
  float lr = 1e-2f;
  int threads = 0;  // 0: try 1 .. hardware threads and keep the fastest
  uint64_t seed = 1337;
  std::string kernels;             // "fast" or "lesson"; empty: the program's own, `engine`
  Engine engine = Engine::lesson;  // not a flag: run's `engine` (the program's choice)
  ModelConfig config(int64_t vocab) const;
};

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

// bench checks its model flags as train does.
BenchOptions parse_bench_args(std::span<const std::string> args);
BenchResult bench(const BenchOptions& options, Console& console);
const std::vector<Flag>& bench_flags();
int bench_main(std::span<const std::string> args, Console& console, Engine engine);

// What this machine's cores can do at best, in GFLOP/s: each of `threads` threads runs
// independent chains of fused multiply-adds on 16-float vectors for about 0.3 s — no memory
// traffic, no dependencies the pipelines must wait for, compiled with the same flags as the
// kernels. A matrix product can approach it but never pass it.
double peak_gflops(int threads);

}  // namespace bg::cli
