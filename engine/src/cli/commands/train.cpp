// babygpt train: train a BabyGPT on a text and write its checkpoint, its loss curve and the
// course's closing samples.
//
// train() reads as the run goes: read the text and split it; check the output files can be
// written; build the model (TrainingRun); announce the run; take the steps, estimating the
// losses every --eval-interval steps; write the checkpoint and the loss curve; sample.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string_view>
#include <system_error>
#include <vector>

#include "bg/autograd.h"
#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/progress.h"
#include "bg/io/fileio.h"
#include "bg/io/svg.h"
#include "bg/optim.h"

namespace bg::cli {

namespace fs = std::filesystem;

// ---- the flags -------------------------------------------------------------------------------

const std::vector<Flag>& train_flags() {
  static const std::vector<Flag> flags = [] {
    const std::string model = TrainOptions{}.model;  // the default version
    const auto heads = [](const ModelVersion& m) { return m.has_heads(); };
    const auto blocks = [](const ModelVersion& m) { return m.has_blocks(); };
    const auto dropout = [](const ModelVersion& m) { return m.dropout; };
    using D = VersionDefaults;
    return std::vector<Flag>{
        {"model", version_range(),
         "which BabyGPT (default " + model +
             "); the size flags below default to that version's course values"},
        {"data", "FILE", "UTF-8 training text (default data/ci.txt)"},
        {"out", "DIR",
         "where to write the checkpoint, loss.svg, samples.txt (default runs/<model>)"},
        {"iters", "N", "training steps (default 5000)"},
        {"batch-size", "N", "sequences per batch (" + course_values(model, &D::batch_size) + ")"},
        {"block-size", "N",
         "context length in characters (" + course_values(model, &D::block_size) + ")"},
        {"n-embed", "N", "embedding size (" + course_values(model, &D::n_embed) + ")"},
        {"n-head", "N",
         "attention heads, " + first_version_with(heads) + "+; must divide n-embed (" +
             course_values(model, &D::n_head, heads) + ")"},
        {"n-kv-head", "K",
         "key/value heads of grouped-query attention, " + grouped_kv_version_names() +
             "; must divide n-head; 1 is multi-query attention (default n-head: every head "
             "its own)"},
        {"n-layer", "N",
         "blocks of attention + feed-forward, " + first_version_with(blocks) + "+ (" +
             course_values(model, &D::n_layer, blocks) + ")"},
        {"dropout", "P",
         "dropout probability in [0, 1), " + first_version_with(dropout) + "+ (" +
             course_values(model, &D::dropout, dropout) + ")"},
        {"lr", "X", "AdamW learning rate (" + course_values(model, &D::lr) + ")"},
        {"eval-interval", "N", "estimate the losses every N steps and at the end (default 200)"},
        {"eval-iters", "N", "batches per split for each estimate (default 100)"},
        {"seed", "N",
         "seed of the weights, the batches, the dropout masks and the samples (default 1337)"},
        {"sample-tokens", "N", "characters to write for each prompt at the end (default 200)"},
    };
  }();
  return flags;
}

ModelConfig TrainOptions::config(int64_t vocab_size) const {
  return {model, vocab_size, block_size, n_embed, n_head, n_layer, dropout, n_kv_head};
}

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

namespace {

// ---- Ctrl-C ----------------------------------------------------------------------------------

// Ctrl-C during training: finish the step (or stop the loss estimate between two batches),
// save what was learned so far, stop. Nothing is written when no step was done, and an
// existing checkpoint is never replaced by an interrupted run (it writes
// model.interrupted.safetensors beside it). Ctrl-C during the closing samples stops them: the
// checkpoint is written by then, samples.txt is not. A second Ctrl-C ends the program at once
// (the default action); an interrupted checkpoint write leaves the previous file intact, since
// writes are atomic.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);
}

// Catches Ctrl-C (on_interrupt) while it lives; the previous handler comes back after.
class InterruptScope {
 public:
  InterruptScope() {
    g_interrupted = 0;
    previous_ = std::signal(SIGINT, on_interrupt);
  }
  ~InterruptScope() {
    if (previous_ != SIG_ERR) std::signal(SIGINT, previous_);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  void (*previous_)(int) = SIG_DFL;
};

// ---- set-up: the text and the output files ---------------------------------------------------

// The training text as token ids split into train and val, and its tokenizer. The text is
// dropped once split, so that training carries one int32 per character and nothing else.
struct TrainingText {
  CharTokenizer tokenizer;
  Split split;
  int64_t characters = 0;
};

CharTokenizer tokenizer_of(std::string_view text, const fs::path& path) {
  try {
    return CharTokenizer(text);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

// `text` cut into pieces of about 1 MiB that end between two characters (never inside a UTF-8
// sequence): the tokenizer's work on one piece at a time needs memory for that piece only.
std::vector<std::string_view> pieces_of(std::string_view text) {
  constexpr size_t kPiece = size_t{1} << 20;
  std::vector<std::string_view> pieces;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = std::min(text.size(), begin + kPiece);
    // back to the first byte of a character: a byte 10xxxxxx continues one (at most 3 back)
    for (int k = 0; k < 3 && end < text.size() && end > begin + 1 &&
                    (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80;
         ++k) {
      --end;
    }
    pieces.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return pieces;
}

// The tokenizer of `text` (its sorted distinct characters, lesson 05) and its tokens split into
// train and val, as CharTokenizer(text), encode(text) and split_train_val would give them, but
// with the tokenizer's work done a piece at a time: at the peak, memory holds the text and one
// int32 per character, not the text's code points twice and its ids twice as well (a 200 MB
// text took 2.7 GB). bg::Error naming `path` for invalid UTF-8, as the whole text would.
void tokenize(std::string_view text, const fs::path& path, TrainingText& t) {
  const std::vector<std::string_view> pieces = pieces_of(text);
  std::vector<bool> seen(0x110000);  // the code points that occur
  for (std::string_view piece : pieces) {
    std::u32string chars;
    try {
      chars = decode_utf8(CharTokenizer(piece).vocab_string());
    } catch (const Error&) {
      (void)tokenizer_of(text, path);  // the error with its offset in the whole text
      throw;
    }
    for (const char32_t c : chars) {
      if (c < seen.size()) seen[c] = true;
    }
  }
  std::u32string vocab;
  for (char32_t c = 0; c < seen.size(); ++c) {
    if (seen[c]) vocab += c;
  }
  t.tokenizer = CharTokenizer::from_vocab(encode_utf8(vocab));
  // Valid UTF-8 now: a character starts at every byte but the continuation bytes 10xxxxxx.
  const auto n = static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char b) {
    return (static_cast<unsigned char>(b) & 0xC0) != 0x80;
  }));
  const size_t n_train = train_split_size(n);
  t.split.train.reserve(n_train);
  t.split.val.reserve(n - n_train);
  for (std::string_view piece : pieces) {
    const std::vector<int32_t> ids = t.tokenizer.encode(piece);
    const size_t to_train = std::min(ids.size(), n_train - t.split.train.size());
    t.split.train.insert(t.split.train.end(), ids.begin(), ids.begin() + to_train);
    t.split.val.insert(t.split.val.end(), ids.begin() + to_train, ids.end());
  }
  t.characters = static_cast<int64_t>(n);
  if (t.split.train.size() + t.split.val.size() != n) {
    throw Error(path.string() + ": " + std::to_string(n) + " characters but " +
                std::to_string(t.split.train.size() + t.split.val.size()) + " tokens");
  }
}

// bg::Error when --data is missing (saying how to get the course's corpus when it is the
// default path) or when a split is shorter than a block and its next character.
TrainingText read_training_text(const TrainOptions& o) {
  std::error_code ec;  // a loop of links or no permission is said by read_text below
  if (fs::status(o.data, ec).type() == fs::file_type::not_found) {
    if (o.data == TrainOptions{}.data) {
      throw Error("no training text at " + o.data.string() +
                  ": run 'babygpt prepare-data' first (it fetches the ci poetry corpus), or "
                  "pass --data FILE with any UTF-8 text");
    }
    throw Error("--data " + o.data.string() + " does not exist");
  }
  TrainingText t;
  tokenize(read_text(o.data, "--data"), o.data, t);
  const auto need = static_cast<size_t>(o.block_size + 1);
  if (t.split.train.size() < need || t.split.val.size() < need) {
    throw Error(
        o.data.string() + ": the corpus is shorter than a block: its " + grouped(t.characters) +
        " characters split into " + std::to_string(t.split.train.size()) + " train and " +
        std::to_string(t.split.val.size()) +
        " val tokens, and each split needs at least block_size + 1 = " + std::to_string(need) +
        " (a block and its next character); use a longer text " + "or a smaller --block-size");
  }
  return t;
}

// Where the run writes: made, and checked writable, before the first step rather than found
// out after training.
struct OutputFiles {
  fs::path dir;
  fs::path checkpoint;     // dir/model.safetensors
  bool replacing = false;  // a checkpoint is there already (an interrupted run keeps it)
};

OutputFiles prepare_output_files(const TrainOptions& o) {
  OutputFiles f;
  f.dir = o.out_dir();
  make_directory(f.dir);
  f.checkpoint = f.dir / "model.safetensors";
  for (const char* name : {"model.safetensors", "loss.svg", "samples.txt"}) {
    check_writable(f.dir / name);
  }
  std::error_code ec;
  f.replacing = fs::exists(f.checkpoint, ec);
  return f;
}

// The model of `config` in training mode, its weights drawn from `gen`. The dropout masks draw
// from the engine's default generator, which this seeds with `seed` too.
std::unique_ptr<LanguageModel> new_model(const ModelConfig& config, uint64_t seed, Generator& gen) {
  manual_seed(seed);
  auto model = make_model(config, gen);
  model->train();
  return model;
}

// ---- the run: steps, loss estimates, progress ------------------------------------------------

// A training run under way: the model, its optimiser, the generator of the weights and the
// batches (seeded with --seed), the losses estimated so far and the progress line.
class TrainingRun {
 public:
  TrainingRun(const TrainOptions& o, const ModelConfig& config, const Split& split, Console& con,
              Clock::time_point start)
      : o_(o),
        split_(split),
        con_(con),
        start_(start),
        gen_(o.seed),
        model_(new_model(config, o.seed, gen_)),
        opt_(model_->parameters(), o.lr),
        features_(features_of(o.engine)) {}

  LanguageModel& model() { return *model_; }
  FeaturesFn features() const { return features_; }
  const std::vector<double>& steps_estimated() const { return xs_; }
  const std::vector<double>& train_losses() const { return train_curve_; }
  const std::vector<double>& val_losses() const { return val_curve_; }
  double train_seconds() const { return train_seconds_; }  // in the steps, estimates excluded

  // Estimates the losses at the start and every --eval-interval steps and at the end, and
  // takes --iters steps, until Ctrl-C (caught by an InterruptScope the caller holds). Returns
  // the steps done, the last estimate and whether Ctrl-C stopped the run.
  TrainResult run() {
    TrainResult result;
    if (!estimate_losses(0, result)) result.interrupted = true;
    auto last_redraw = Clock::now();
    int64_t step = 0;
    while (step < o_.iters && !result.interrupted) {
      if (g_interrupted) {
        result.interrupted = true;
        break;
      }
      take_step(step + 1);
      ++step;
      if (step % o_.eval_interval == 0 || step == o_.iters) {
        if (!estimate_losses(step, result)) result.interrupted = true;
        last_redraw = Clock::now();
      } else if (con_.interactive &&
                 std::chrono::duration<double>(Clock::now() - last_redraw).count() > 0.2) {
        con_.out << "\r" << format_progress_line(progress(step)) << "\033[K" << std::flush;
        progress_shown_ = true;
        last_redraw = Clock::now();
      }
    }
    clear_progress();
    result.steps = step;
    result.seconds = seconds_since(start_);
    return result;
  }

 private:
  // One training step, the `number`th: a batch, its loss, backward, AdamW. bg::Error when the
  // loss is not finite.
  void take_step(int64_t number) {
    const auto t = Clock::now();
    const Batch batch = get_batch(split_.train, o_.batch_size, o_.block_size, gen_);
    const Tensor loss = model_loss(*model_, batch, features_);
    const float value = loss.item();
    if (!std::isfinite(value)) {
      clear_progress();
      throw Error("the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                  " at step " + std::to_string(number) +
                  ": training diverged; try a smaller --lr (now " + shortest_text(o_.lr) +
                  "). No checkpoint was written.");
    }
    opt_.zero_grad();
    loss.backward();
    opt_.step();
    train_seconds_ += seconds_since(t);
  }

  // Estimates the losses after `step` steps on --eval-iters batches per split, records them in
  // the curves and in `result` and prints the line; false when Ctrl-C stopped the estimate
  // (nothing is recorded then). bg::Error when a loss is not finite.
  bool estimate_losses(int64_t step, TrainResult& result) {
    const LossEstimate est = estimate_loss(
        *model_, split_, o_.eval_iters, o_.batch_size, o_.block_size, gen_,
        [] { return g_interrupted != 0; }, features_);
    if (est.stopped) return false;
    if (!std::isfinite(est.train) || !std::isfinite(est.val)) {
      clear_progress();
      throw Error("the estimated loss is not finite at step " + std::to_string(step) + " (train " +
                  fixed(est.train, 4) + ", val " + fixed(est.val, 4) +
                  "): training diverged; try a smaller --lr (now " + shortest_text(o_.lr) +
                  "). No checkpoint was written.");
    }
    xs_.push_back(static_cast<double>(step));
    train_curve_.push_back(est.train);
    val_curve_.push_back(est.val);
    result.train_loss = est.train;
    result.val_loss = est.val;
    clear_progress();
    con_.out << format_eval_line(progress(step), est.train, est.val) << "\n" << std::flush;
    return true;
  }

  Progress progress(int64_t step) const {
    Progress p;
    p.step = step;
    p.total = o_.iters;
    p.elapsed = seconds_since(start_);
    // Unknown before the first step: shown as "--".
    p.tokens_per_second =
        train_seconds_ > 0
            ? static_cast<double>(step * o_.batch_size * o_.block_size) / train_seconds_
            : -1.0;
    return p;
  }

  // Erases the in-place progress line, if one is shown.
  void clear_progress() {
    if (progress_shown_) con_.out << "\r\033[K";
    progress_shown_ = false;
  }

  const TrainOptions& o_;
  const Split& split_;
  Console& con_;
  const Clock::time_point start_;
  Generator gen_;
  std::unique_ptr<LanguageModel> model_;
  AdamW opt_;
  const FeaturesFn features_;
  std::vector<double> xs_, train_curve_, val_curve_;  // the estimates: step, train, val
  double train_seconds_ = 0.0;
  bool progress_shown_ = false;
};

// ---- reporting: the plan, the checkpoint and the loss curve ----------------------------------

void announce(const TrainOptions& o, const ModelConfig& config, const LanguageModel& model,
              const TrainingText& text, const OutputFiles& files, Console& con) {
  con.out << "training " << describe(config, model.num_parameters()) << "\n"
          << "  on " << o.data.string() << ": " << grouped(text.characters) << " characters, "
          << grouped(static_cast<int64_t>(text.split.train.size())) << " train / "
          << grouped(static_cast<int64_t>(text.split.val.size())) << " val\n"
          << "  " << o.iters << " steps of " << o.batch_size << " x " << o.block_size
          << " tokens, AdamW lr " << shortest_text(o.lr) << ", seed " << o.seed
          << "; evaluating every " << o.eval_interval << " steps on " << o.eval_iters
          << " batches per split\n";
  if (files.replacing) {
    con.out << "  " << files.checkpoint.string()
            << " exists: this run replaces it when it ends (Ctrl-C keeps it)\n";
  }
  con.out << std::flush;
}

// Writes the checkpoint and loss.svg and says so, with the speed of the steps. An interrupted
// run never replaces a checkpoint that is already there (it may be a longer run's): it writes
// model.interrupted.safetensors and loss.interrupted.svg next to it.
void save_run(const TrainOptions& o, const ModelConfig& config, TrainingRun& training,
              const CharTokenizer& tok, const OutputFiles& files, TrainResult& result,
              Console& con) {
  std::error_code ec;
  const bool beside = result.interrupted && fs::exists(files.checkpoint, ec);
  result.checkpoint = beside ? files.dir / "model.interrupted.safetensors" : files.checkpoint;
  const fs::path loss_svg = files.dir / (beside ? "loss.interrupted.svg" : "loss.svg");
  save_checkpoint(result.checkpoint, training.model(), tok);
  svg::LineChart chart;
  chart.title = "BabyGPT " + config.model + " on " + o.data.filename().string();
  chart.series.push_back({"train", training.steps_estimated(), training.train_losses()});
  chart.series.push_back({"val", training.steps_estimated(), training.val_losses()});
  svg::write_svg(loss_svg, svg::line_chart(chart));

  const int64_t step = result.steps;
  const double seconds = training.train_seconds();
  const double tps =
      seconds > 0 ? static_cast<double>(step * o.batch_size * o.block_size) / seconds : 0.0;
  if (result.interrupted) {
    con.out << "interrupted after " << step << " of " << o.iters << " steps\n";
  }
  con.out << "trained " << step << " steps in " << format_duration(result.seconds) << " ("
          << fixed(1000.0 * seconds / std::max<int64_t>(step, 1), 2) << " ms/step, "
          << grouped(static_cast<int64_t>(tps)) << " tokens/s)\n"
          << "wrote " << result.checkpoint.string() << " and " << loss_svg.string() << "\n";
  if (beside) {
    con.out << "kept the existing " << files.checkpoint.string()
            << ": an interrupted run does not replace it\n";
  }
}

// ---- the closing samples ---------------------------------------------------------------------

// The course's sampling prompts, with a fallback when a text lacks their characters.
std::vector<int32_t> training_prompt(const CharTokenizer& tok, const std::string& prompt,
                                     std::string& shown) {
  try {
    shown = prompt;
    return tok.encode(prompt);
  } catch (const Error&) {
  }
  try {
    shown = "(" + prompt + " is not in this text's vocabulary: starting from a newline)\n";
    return tok.encode("\n");
  } catch (const Error&) {
  }
  shown = "(" + prompt + " is not in this text's vocabulary: starting from its first character)";
  return {0};
}

// The course's closing samples, without dropout: --sample-tokens characters after each of its
// prompts, drawn from a generator seeded with --seed, printed as they are drawn and written to
// samples.txt. Ctrl-C stops them (result.interrupted), and samples.txt is not written.
void write_closing_samples(const TrainOptions& o, const ModelConfig& config, TrainingRun& training,
                           const CharTokenizer& tok, const OutputFiles& files, TrainResult& result,
                           Console& con) {
  LanguageModel& model = training.model();
  model.eval();
  Generator sample_gen(o.seed);
  SampleOptions so;
  so.max_new_tokens = o.sample_tokens;
  std::string samples_text = "# BabyGPT " + config.model + " after " +
                             std::to_string(result.steps) + " steps on " + o.data.string() +
                             " (seed " + std::to_string(o.seed) + ", temperature 1)\n";
  con.out << "\n";
  bool kv_cache = true;
  // Each sample is shown as it is drawn; Ctrl-C stops it (the checkpoint is already written).
  const auto show = [&](int32_t token) {
    con.out << tok.decode(std::span(&token, 1)) << std::flush;
    return g_interrupted == 0;
  };
  for (const std::string prompt : {"春江", "往事"}) {
    std::string shown;
    const std::vector<int32_t> context = training_prompt(tok, prompt, shown);
    con.out << "--- " << prompt << "\n" << tok.decode(context) << std::flush;
    const std::vector<int32_t> all =
        generate_text(model, context, so, sample_gen, kv_cache, training.features(), con, show);
    if (g_interrupted) {
      result.interrupted = true;
      std::error_code ec;
      con.out << "\nstopped during the closing samples: " << (files.dir / "samples.txt").string()
              << (fs::exists(files.dir / "samples.txt", ec) ? " (from an earlier run) is unchanged"
                                                            : " was not written")
              << "\n";
      return;
    }
    const std::string sample = tok.decode(all);
    result.samples.push_back(sample);
    samples_text += "\n--- " + prompt + "\n" + sample + "\n";
    con.out << "\n\n" << std::flush;
  }
  write_file_atomic(files.dir / "samples.txt", samples_text);
  con.out << "wrote " << (files.dir / "samples.txt").string() << "\n";
}

}  // namespace

// ---- the command -----------------------------------------------------------------------------

TrainResult train(const TrainOptions& o, Console& con) {
  const auto start = Clock::now();
  const TrainingText text = read_training_text(o);
  const ModelConfig config = o.config(text.tokenizer.vocab_size());
  config.validate();
  check_step_fits_in_memory(config, o.batch_size, o.block_size, text.characters);
  const OutputFiles files = prepare_output_files(o);

  TrainingRun training(o, config, text.split, con, start);
  announce(o, config, training.model(), text, files, con);
  // Until train returns, Ctrl-C stops the run (which is then saved) instead of the program.
  const InterruptScope interrupt_scope;
  TrainResult result = training.run();

  if (result.interrupted && result.steps == 0) {
    con.out << "interrupted before the first step: nothing written"
            << (files.replacing ? " (" + files.checkpoint.string() + " is unchanged)"
                                : std::string())
            << "\n";
    return result;
  }
  save_run(o, config, training, text.tokenizer, files, result, con);
  if (result.interrupted) return result;
  write_closing_samples(o, config, training, text.tokenizer, files, result, con);
  return result;
}

int train_main(std::span<const std::string> args, Console& con, Engine engine) {
  TrainOptions o = parse_train_args(args);
  if (o.help) {
    con.out << usage("train");
    return kExitOk;
  }
  o.engine = engine;
  return train(o, con).interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace bg::cli
