// The commands of the babygpt program and its entry point (see bg/cli.h).
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <new>
#include <ostream>
#include <sstream>
#include <system_error>

#include <unistd.h>

#include "bg/autograd.h"
#include "bg/cli.h"
#include "bg/data.h"
#include "bg/fast/fast_model.h"
#include "bg/io/corpus.h"
#include "bg/io/fileio.h"
#include "bg/io/numbers.h"
#include "bg/io/svg.h"
#include "bg/kv_cache.h"
#include "bg/optim.h"

namespace bg::cli {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// "2062731" -> "2,062,731"
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string fixed(double v, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

// A text file's bytes and its tokenizer, with errors naming the file.
std::string read_text(const fs::path& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(what + " " + path.string() + " does not exist");
  if (fs::is_directory(path, ec)) throw Error(what + " " + path.string() + " is a directory");
  return read_file(path);
}

CharTokenizer tokenizer_of(const std::string& text, const fs::path& path) {
  try {
    return CharTokenizer(text);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

std::vector<int32_t> encode_or_explain(const CharTokenizer& tok, const std::string& text,
                                       const std::string& what) {
  try {
    return tok.encode(text);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

void make_directory(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error("cannot create the directory " + dir.string() +
                (ec ? ": " + ec.message() : std::string(": a file is in the way")));
  }
}

std::string describe(const ModelConfig& c, int64_t parameters) {
  std::string s = c.model + " (vocab_size " + std::to_string(c.vocab_size) + ", block_size " +
                  std::to_string(c.block_size) + ", n_embed " + std::to_string(c.n_embed);
  if (c.has_heads()) s += ", n_head " + std::to_string(c.n_head);
  if (c.has_blocks()) s += ", n_layer " + std::to_string(c.n_layer);
  if (c.has_dropout()) s += ", dropout " + fixed(c.dropout, 2);
  return s + ", " + grouped(parameters) + " parameters)";
}

// Ctrl-C during training: finish the step (or stop the loss estimate between two batches),
// save what was learned so far, stop. Nothing is written when no step was done, and an
// existing checkpoint is never replaced by an interrupted run (it writes
// model.interrupted.safetensors beside it). A second
// Ctrl-C ends the program at once (the default action); an interrupted checkpoint write
// leaves the previous file intact, since writes are atomic.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);
}

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

// Generation with the KV cache (lesson 13) while `kv_cache` is true, else the whole window every
// step, its features computed by `features`. In babygpt_mine before lesson 13 the learner's cache
// is still a stub: its first call throws before any token is drawn, so we say so, clear `kv_cache`
// and draw the same text without it.
std::vector<int32_t> generate_text(const LanguageModel& model, const std::vector<int32_t>& context,
                                   const SampleOptions& so, Generator& gen, bool& kv_cache,
                                   FeaturesFn features, Console& con) {
  if (kv_cache) {
    const Generator before = gen;
    try {
      return generate_cached(model, context, so, gen);
    } catch (const NotImplemented& e) {
      con.err << "note: " << e.what() << "\n      sampling without the KV cache\n";
      kv_cache = false;
      gen = before;
    }
  }
  return generate_with(model, context, so, gen, features);
}

}  // namespace

void check_step_fits_in_memory(const ModelConfig& c, int64_t B, int64_t T) {
  const double tokens = static_cast<double>(B) * static_cast<double>(T);
  const double bytes =
      16.0 * parameter_count(c) +
      4.0 * tokens * (static_cast<double>(c.n_embed) + 2.0 * static_cast<double>(c.vocab_size));
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return;  // unknown: nothing to compare with
  const double memory = static_cast<double>(pages) * static_cast<double>(page_size);
  if (bytes <= memory) return;
  throw Error("one training step of --batch-size " + std::to_string(B) + " x --block-size " +
              std::to_string(T) + " tokens of this " + c.model + " (n_embed " +
              std::to_string(c.n_embed) + ", vocab " + std::to_string(c.vocab_size) +
              ") needs at least " + fixed(bytes / 1e9, 1) + " GB, more than this machine's " +
              fixed(memory / 1e9, 1) + " GB: use a smaller --batch-size, --block-size or model");
}

// ---- prepare-data ----

void prepare_data(const PrepareDataOptions& o, Console& con) {
  make_directory(o.out.parent_path());
  // Absolute paths: prepare_corpus runs npm and cmake in a temporary directory, where a
  // relative path would no longer point at the right place.
  CorpusOptions co;
  if (!o.tarball.empty()) co.tarball = fs::absolute(o.tarball);
  co.log = [&](const std::string& line) { con.err << line << "\n" << std::flush; };
  const CorpusStats st = prepare_corpus(fs::absolute(o.out), co);
  con.out << "wrote " << o.out.string() << ": " << grouped(st.poems) << " poems, "
          << grouped(st.chars) << " characters (" << grouped(st.bytes) << " bytes), "
          << grouped(st.distinct) << " distinct; sha256 " << st.sha256 << "\n";
}

// ---- train ----

TrainResult train(const TrainOptions& o, Console& con) {
  const auto start = Clock::now();
  std::error_code ec;
  if (!fs::exists(o.data, ec)) {
    if (o.data == TrainOptions{}.data) {
      throw Error("no training text at " + o.data.string() +
                  ": run 'babygpt prepare-data' first (it fetches the ci poetry corpus), or "
                  "pass --data FILE with any UTF-8 text");
    }
    throw Error("--data " + o.data.string() + " does not exist");
  }
  // The text and its token ids are needed only until the split: they live in this block, so
  // that training does not carry them (about 14 MB for ci.txt).
  CharTokenizer tok;
  Split split;
  int64_t n_tokens = 0;
  {
    const std::string text = read_text(o.data, "--data");
    tok = tokenizer_of(text, o.data);
    const std::vector<int32_t> ids = tok.encode(text);
    n_tokens = static_cast<int64_t>(ids.size());
    split = split_train_val(ids);
  }
  const auto need = static_cast<size_t>(o.block_size + 1);
  if (split.train.size() < need || split.val.size() < need) {
    throw Error(
        o.data.string() + ": the corpus is shorter than a block: its " + grouped(n_tokens) +
        " characters split into " + std::to_string(split.train.size()) + " train and " +
        std::to_string(split.val.size()) +
        " val tokens, and each split needs at least block_size + 1 = " + std::to_string(need) +
        " (a block and its next character); use a longer text " + "or a smaller --block-size");
  }
  const ModelConfig config = o.config(tok.vocab_size());
  config.validate();
  check_step_fits_in_memory(config, o.batch_size, o.block_size);
  const fs::path out_dir = o.out_dir();
  make_directory(out_dir);
  // What the end of the run writes must be writable now, not found out after training.
  const fs::path checkpoint = out_dir / "model.safetensors";
  for (const char* name : {"model.safetensors", "loss.svg", "samples.txt"}) {
    check_writable(out_dir / name);
  }
  const bool replacing = fs::exists(checkpoint, ec);

  // The weights, the batches and the closing samples draw from generators seeded with --seed;
  // the dropout masks (v10+) from the engine's default generator, seeded with it too.
  Generator gen(o.seed);
  manual_seed(o.seed);
  auto model = make_model(config, gen);
  model->train();
  AdamW opt(model->parameters(), o.lr);
  const FeaturesFn features = features_of(o.engine);

  con.out << "training " << describe(config, model->num_parameters()) << "\n"
          << "  on " << o.data.string() << ": " << grouped(n_tokens) << " characters, "
          << grouped(static_cast<int64_t>(split.train.size())) << " train / "
          << grouped(static_cast<int64_t>(split.val.size())) << " val\n"
          << "  " << o.iters << " steps of " << o.batch_size << " x " << o.block_size
          << " tokens, AdamW lr " << shortest_text(o.lr) << ", seed " << o.seed
          << "; evaluating every " << o.eval_interval << " steps on " << o.eval_iters
          << " batches per split\n";
  if (replacing) {
    con.out << "  " << checkpoint.string()
            << " exists: this run replaces it when it ends (Ctrl-C keeps it)\n";
  }
  con.out << std::flush;

  TrainResult result;
  std::vector<double> xs, train_curve, val_curve;
  double train_seconds = 0.0;
  bool progress_shown = false;
  auto progress = [&](int64_t step) {
    Progress p;
    p.step = step;
    p.total = o.iters;
    p.elapsed = seconds_since(start);
    // Unknown before the first step: shown as "--".
    p.tokens_per_second =
        train_seconds > 0 ? static_cast<double>(step * o.batch_size * o.block_size) / train_seconds
                          : -1.0;
    return p;
  };
  auto clear_progress = [&] {
    if (progress_shown) con.out << "\r\033[K";
    progress_shown = false;
  };
  // false when Ctrl-C stopped the estimate (nothing is recorded then).
  auto evaluate_now = [&](int64_t step) {
    const LossEstimate est = estimate_loss(
        *model, split, o.eval_iters, o.batch_size, o.block_size, gen,
        [] { return g_interrupted != 0; }, features);
    if (est.stopped) return false;
    if (!std::isfinite(est.train) || !std::isfinite(est.val)) {
      clear_progress();
      throw Error("the estimated loss is not finite at step " + std::to_string(step) + " (train " +
                  fixed(est.train, 4) + ", val " + fixed(est.val, 4) +
                  "): training diverged; try a smaller --lr (now " + shortest_text(o.lr) +
                  "). No checkpoint was written.");
    }
    xs.push_back(static_cast<double>(step));
    train_curve.push_back(est.train);
    val_curve.push_back(est.val);
    result.train_loss = est.train;
    result.val_loss = est.val;
    clear_progress();
    con.out << format_eval_line(progress(step), est.train, est.val) << "\n" << std::flush;
    return true;
  };

  InterruptScope interrupt_scope;
  if (!evaluate_now(0)) result.interrupted = true;
  auto last_redraw = Clock::now();
  int64_t step = 0;
  while (step < o.iters && !result.interrupted) {
    if (g_interrupted) {
      result.interrupted = true;
      break;
    }
    const auto t = Clock::now();
    const Batch batch = get_batch(split.train, o.batch_size, o.block_size, gen);
    const Tensor loss = model_loss(*model, batch, features);
    const float value = loss.item();
    if (!std::isfinite(value)) {
      clear_progress();
      throw Error("the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") +
                  " at step " + std::to_string(step + 1) +
                  ": training diverged; try a smaller --lr (now " + shortest_text(o.lr) +
                  "). No checkpoint was written.");
    }
    opt.zero_grad();
    loss.backward();
    opt.step();
    train_seconds += seconds_since(t);
    ++step;
    if (step % o.eval_interval == 0 || step == o.iters) {
      if (!evaluate_now(step)) result.interrupted = true;
      last_redraw = Clock::now();
    } else if (con.interactive &&
               std::chrono::duration<double>(Clock::now() - last_redraw).count() > 0.2) {
      con.out << "\r" << format_progress_line(progress(step)) << "\033[K" << std::flush;
      progress_shown = true;
      last_redraw = Clock::now();
    }
  }
  clear_progress();
  result.steps = step;
  result.seconds = seconds_since(start);

  if (result.interrupted && step == 0) {
    con.out << "interrupted before the first step: nothing written"
            << (replacing ? " (" + checkpoint.string() + " is unchanged)" : std::string()) << "\n";
    return result;
  }
  // An interrupted run never replaces a checkpoint that is already there: it may be a longer
  // run's. Its model goes next to it, and the message says where.
  const bool beside = result.interrupted && fs::exists(checkpoint, ec);
  result.checkpoint = beside ? out_dir / "model.interrupted.safetensors" : checkpoint;
  const fs::path loss_svg = out_dir / (beside ? "loss.interrupted.svg" : "loss.svg");
  save_checkpoint(result.checkpoint, *model, tok);
  svg::LineChart chart;
  chart.title = "BabyGPT " + config.model + " on " + o.data.filename().string();
  chart.series.push_back({"train", xs, train_curve});
  chart.series.push_back({"val", xs, val_curve});
  svg::write_svg(loss_svg, svg::line_chart(chart));

  const double tps = train_seconds > 0
                         ? static_cast<double>(step * o.batch_size * o.block_size) / train_seconds
                         : 0.0;
  if (result.interrupted) {
    con.out << "interrupted after " << step << " of " << o.iters << " steps\n";
  }
  con.out << "trained " << step << " steps in " << format_duration(result.seconds) << " ("
          << fixed(1000.0 * train_seconds / std::max<int64_t>(step, 1), 2) << " ms/step, "
          << grouped(static_cast<int64_t>(tps)) << " tokens/s)\n"
          << "wrote " << result.checkpoint.string() << " and " << loss_svg.string() << "\n";
  if (beside) {
    con.out << "kept the existing " << checkpoint.string()
            << ": an interrupted run does not replace it\n";
  }
  if (result.interrupted) return result;

  // The course's closing samples, without dropout.
  model->eval();
  Generator sample_gen(o.seed);
  SampleOptions so;
  so.max_new_tokens = o.sample_tokens;
  std::string samples_text = "# BabyGPT " + config.model + " after " + std::to_string(step) +
                             " steps on " + o.data.string() + " (seed " + std::to_string(o.seed) +
                             ", temperature 1)\n";
  con.out << "\n";
  bool kv_cache = true;
  for (const std::string prompt : {"春江", "往事"}) {
    std::string shown;
    const std::vector<int32_t> context = training_prompt(tok, prompt, shown);
    const std::vector<int32_t> all =
        generate_text(*model, context, so, sample_gen, kv_cache, features, con);
    const std::string sample = tok.decode(all);
    result.samples.push_back(sample);
    const std::string block = "--- " + prompt + "\n" + sample + "\n";
    samples_text += "\n" + block;
    con.out << block << "\n";
  }
  write_file_atomic(out_dir / "samples.txt", samples_text);
  con.out << "wrote " << (out_dir / "samples.txt").string() << "\n";
  return result;
}

// ---- sample ----

std::vector<std::string> sample(const SampleCommandOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  ck.model->eval();  // no dropout while sampling (v10+)
  std::vector<std::vector<int32_t>> contexts;
  for (const auto& prompt : o.prompts) {
    if (prompt.empty()) throw Error("--prompt must not be empty");
    contexts.push_back(encode_or_explain(ck.tokenizer, prompt, "--prompt '" + prompt + "'"));
  }
  Generator gen(o.seed);
  SampleOptions so;
  so.max_new_tokens = o.tokens;
  so.temperature = o.temperature;
  so.top_k = o.top_k;
  std::vector<std::string> texts;
  const auto start = Clock::now();
  bool kv_cache = o.kv_cache;
  for (size_t i = 0; i < contexts.size(); ++i) {
    // With the KV cache (lesson 13) by default; --no-kv-cache: the whole window every step.
    const std::vector<int32_t> all =
        generate_text(*ck.model, contexts[i], so, gen, kv_cache, features_of(o.engine), con);
    texts.push_back(ck.tokenizer.decode(all));
    if (i > 0) con.out << "\n";
    con.out << texts.back() << "\n" << std::flush;
  }
  const double secs = seconds_since(start);
  const auto n = static_cast<int64_t>(contexts.size()) * o.tokens;
  con.err << "sampled " << grouped(n) << " tokens in " << fixed(secs, 2) << " s ("
          << grouped(secs > 0 ? static_cast<int64_t>(static_cast<double>(n) / secs) : 0)
          << " tokens/s, " << (kv_cache ? "with" : "without") << " the KV cache)\n";
  return texts;
}

// ---- eval ----

double evaluate(const EvalOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  const std::string text = read_text(o.data, "--data");
  try {
    (void)decode_utf8(text);
  } catch (const Error& e) {
    throw Error(o.data.string() + ": " + e.what());
  }
  const std::vector<int32_t> ids =
      encode_or_explain(ck.tokenizer, text, o.data.string() + " does not fit the checkpoint");
  std::vector<int32_t> data;
  if (o.split == "all") {
    data = ids;
  } else {
    Split split = split_train_val(ids);
    data = o.split == "train" ? std::move(split.train) : std::move(split.val);
  }
  const int64_t T = ck.config.block_size;
  if (static_cast<int64_t>(data.size()) < T + 1) {
    throw Error(o.data.string() + ": the " + o.split + " split holds " +
                std::to_string(data.size()) + " tokens, shorter than a block: evaluation needs " +
                "at least block_size + 1 = " + std::to_string(T + 1));
  }
  ck.model->eval();  // no dropout (load_checkpoint does this too; evaluation depends on it)
  con.out << "checkpoint " << o.checkpoint.string() << ": "
          << describe(ck.config, ck.model->num_parameters()) << "\n";
  const int64_t windows = (static_cast<int64_t>(data.size()) - 1) / T;
  con.out << o.data.string() << ": " << o.split << " split, " << grouped(windows) << " windows of "
          << T << " tokens\n"
          << std::flush;
  const auto start = Clock::now();
  const double loss = evaluate_loss(*ck.model, data, T, kEvalRowsPerStep, features_of(o.engine));
  con.err << "evaluated " << grouped(windows * T) << " tokens in " << fixed(seconds_since(start), 2)
          << " s\n";
  if (!std::isfinite(loss)) throw Error("the loss is not finite: " + fixed(loss, 4));
  con.out << o.split << " loss " << fixed(loss, 4) << "\n";
  return loss;
}

// ---- attention ----

void attention(const AttentionOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  if (!ck.config.model_version().has_attention()) {
    throw Error(o.checkpoint.string() + " holds a " + ck.config.model +
                " model, which has no attention: pass a checkpoint of v3 or later");
  }
  ck.model->eval();  // the weights the model uses to predict: no dropout
  std::vector<int32_t> ids =
      encode_or_explain(ck.tokenizer, o.prompt, "--prompt '" + o.prompt + "'");
  const int64_t block = ck.config.block_size;
  if (static_cast<int64_t>(ids.size()) > block) {
    con.err << "note: the prompt has " << ids.size() << " characters but the model sees at most "
            << "block_size = " << block << ": drawing its last " << block << "\n";
    ids = crop_context(ids, block);
  }
  const auto T = static_cast<int64_t>(ids.size());
  const std::vector<Tensor> maps = ck.model->attention_maps(ids, T);
  // Layer after layer, n_head maps each (v3 has one head of size n_embed).
  const auto heads = static_cast<size_t>(ck.config.has_heads() ? ck.config.n_head : 1);
  if (maps.empty() || maps.size() % heads != 0) {
    throw Error("the model returned " + std::to_string(maps.size()) +
                " attention maps, not a whole number of layers of " + std::to_string(heads) +
                " heads");
  }
  const size_t layers = maps.size() / heads;
  svg::AttentionGrid grid;
  const std::string shown = ck.tokenizer.decode(ids);
  grid.title = "BabyGPT " + ck.config.model + " attention on \u201c" + shown + "\u201d";
  for (int32_t id : ids) grid.labels.push_back(ck.tokenizer.decode(std::span(&id, 1)));
  for (size_t i = 0; i < maps.size(); ++i) {
    grid.heads.push_back({"head " + std::to_string(i % heads), maps[i].tolist()});
  }
  // One row per layer when there are blocks (v6+); v3–v5 keep the heads side by side.
  if (ck.config.has_blocks()) {
    grid.columns = static_cast<int>(heads);
    for (size_t l = 0; l < layers; ++l) grid.row_titles.push_back("layer " + std::to_string(l));
  }
  make_directory(o.out.parent_path());
  svg::write_svg(o.out, svg::attention_grid(grid));
  con.out << "wrote " << o.out.string() << ": ";
  if (ck.config.has_blocks()) con.out << layers << " layer" << (layers == 1 ? "" : "s") << " x ";
  con.out << heads << " head" << (heads == 1 ? "" : "s") << ", " << T << " x " << T << " on \u201c"
          << shown << "\u201d\n";
}

// ---- the program ----

FeaturesFn features_of(Engine engine) {
  return engine == Engine::fast ? fast::features : own_features;
}

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err, bool interactive,
        Engine engine) {
  Console con{out, err, interactive};
  if (args.empty()) {
    err << usage();
    return kExitUsage;
  }
  const std::string& command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    out << usage();
    return kExitOk;
  }
  const auto rest = args.subspan(1);
  try {
    if (command == "prepare-data") {
      const auto o = parse_prepare_data_args(rest);
      if (o.help) return out << usage(command), kExitOk;
      prepare_data(o, con);
    } else if (command == "train") {
      auto o = parse_train_args(rest);
      o.engine = engine;
      if (o.help) return out << usage(command), kExitOk;
      if (train(o, con).interrupted) return 130;
    } else if (command == "sample") {
      auto o = parse_sample_args(rest);
      o.engine = engine;
      if (o.help) return out << usage(command), kExitOk;
      sample(o, con);
    } else if (command == "eval") {
      auto o = parse_eval_args(rest);
      o.engine = engine;
      if (o.help) return out << usage(command), kExitOk;
      evaluate(o, con);
    } else if (command == "attention") {
      const auto o = parse_attention_args(rest);
      if (o.help) return out << usage(command), kExitOk;
      attention(o, con);
    } else if (command == "bench") {
      auto o = parse_bench_args(rest);
      o.engine = engine;
      if (o.help) return out << usage(command), kExitOk;
      bench(o, con);
    } else {
      err << "babygpt: unknown command '" << command << "'\n\n" << usage();
      return kExitUsage;
    }
  } catch (const UsageError& e) {
    err << "babygpt " << command << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    err << "babygpt " << command << ": error: " << e.what() << "\n";
    return kExitError;
  } catch (const NotImplemented& e) {
    err << "babygpt " << command << ": " << e.what() << "\n";
    return kExitError;
  } catch (const std::bad_alloc&) {
    err << "babygpt " << command << ": error: out of memory\n";
    return kExitError;
  } catch (const std::exception& e) {
    err << "babygpt " << command << ": internal error: " << e.what() << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace bg::cli
