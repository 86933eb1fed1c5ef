// babygpt bench: how fast one training step of a configuration runs on this machine.
//
// It trains exactly as `babygpt train` does (random batch, loss, zero_grad, backward, AdamW
// step) and times each phase of every step with a steady clock. Machines are noisy, so it
// reports medians and the spread, never a single run.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/muladd.h"
#include "bg/kernels/parallel.h"
#include "bg/kernels/storage.h"
#include "bg/optim.h"

namespace bg::cli {

namespace fs = std::filesystem;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The q-quantile (0..1) of `v` by nearest rank.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Peak resident set size of this process so far, in MB (ru_maxrss is KiB on Linux, bytes on
// macOS).
double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
#ifdef __APPLE__
  return static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0);
#else
  return static_cast<double>(u.ru_maxrss) / 1024.0;
#endif
}

struct StepTimes {
  std::vector<double> total, forward, backward, optimizer;
};

// Runs `steps` training steps, the features computed by `features`, and records how long each
// phase took.
StepTimes run_steps(LanguageModel& model, AdamW& opt, const std::vector<int32_t>& train,
                    const BenchOptions& o, FeaturesFn features, Generator& gen, int64_t steps) {
  StepTimes t;
  for (int64_t s = 0; s < steps; ++s) {
    const auto t0 = Clock::now();
    const Batch batch = get_batch(train, o.batch_size, o.block_size, gen);
    const Tensor loss = model_loss(model, batch, features);
    const double f = ms_since(t0);
    const auto t1 = Clock::now();
    opt.zero_grad();
    loss.backward();
    const double b = ms_since(t1);
    const auto t2 = Clock::now();
    opt.step();
    const double u = ms_since(t2);
    t.forward.push_back(f);
    t.backward.push_back(b);
    t.optimizer.push_back(u);
    t.total.push_back(f + b + u);
  }
  return t;
}

// One thread's share of peak_gflops: 12 vector registers of independent multiply-add chains
// (12 · 16 floats with AVX-512, 12 · 8 with AVX2: 12 · 16 on AVX2 spilled 10 of its 24
// registers and understated the peak), `rounds` steps each, the loop over the chains unrolled
// so that they stay in registers. Returns a value that depends on every chain, so the compiler
// cannot drop the work.
constexpr int kChains = 12 * kFloatLanes;
float fma_chains(int64_t rounds) {
  float acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = static_cast<float>(i) * 1e-3f;
  const float a = 0.999999f, b = 1e-7f;
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 192
    for (int i = 0; i < kChains; ++i) acc[i] = muladd(acc[i], a, b);
  }
  float sum = 0.0f;
  for (int i = 0; i < kChains; ++i) sum += acc[i];
  return sum;
}

}  // namespace

const std::vector<Flag>& bench_flags() {
  static const std::vector<Flag> flags = [] {
    // The flags that describe the model and its optimisation are train's.
    auto train_flag = [](std::string_view name) {
      for (const Flag& f : train_flags()) {
        if (f.name == name) return f;
      }
      throw Error("train has no flag --" + std::string(name));
    };
    std::vector<Flag> f = {
        train_flag("model"),
        {"data", "FILE",
         "UTF-8 training text (default data/ci.txt if it exists, else random tokens)"},
        {"vocab-size", "N", "vocabulary of the random tokens used without a text (default 6104)"},
        {"iters", "N", "measured training steps (default 50)"},
        {"warmup", "N", "steps run before measuring (default 5)"},
    };
    for (const char* shared : {"batch-size", "block-size", "n-embed", "n-head", "n-kv-head",
                               "n-layer", "dropout", "lr"}) {
      f.push_back(train_flag(shared));
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

double peak_gflops(int threads) {
  constexpr int64_t kRounds = 1 << 22;  // 12 · 16 · 2 · 2^22 ≈ 1.6 GFLOP per thread (AVX-512)
  std::vector<double> best(static_cast<size_t>(threads), 0.0);
  std::vector<std::thread> pool;
  volatile float sink = 0.0f;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&best, &sink, t] {
      for (int rep = 0; rep < 3; ++rep) {  // the best of 3: another process may interrupt one
        const auto t0 = Clock::now();
        const float v = fma_chains(kRounds);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (v == 12345.0f) sink = v;  // never true; keeps the result alive
        best[static_cast<size_t>(t)] =
            std::max(best[static_cast<size_t>(t)], kChains * 2.0 * kRounds / s / 1e9);
      }
    });
  }
  for (std::thread& th : pool) th.join();
  double total = 0.0;
  for (double b : best) total += b;
  return total;
}

ModelConfig BenchOptions::config(int64_t vocab) const {
  return {model, vocab, block_size, n_embed, n_head, n_layer, dropout, n_kv_head};
}

BenchResult bench(const BenchOptions& o, Console& con) {
  // The tokens: a text if there is one, else uniformly random ids.
  std::vector<int32_t> ids;
  int64_t vocab = o.vocab_size;
  std::string source;
  fs::path data = o.data;
  std::error_code ec;
  if (data.empty() && fs::exists("data/ci.txt", ec)) data = "data/ci.txt";
  if (!data.empty()) {
    const std::string text = read_text(data, "--data");
    const CharTokenizer tok(text);
    ids = tok.encode(text);
    vocab = tok.vocab_size();
    source = data.string();
  } else {
    Generator g(o.seed + 1);
    ids.resize(1'000'000);
    for (int32_t& id : ids) id = static_cast<int32_t>(g.randint(static_cast<uint64_t>(vocab)));
    source = "random tokens";
  }
  Split split = split_train_val(ids);
  ids.clear();
  ids.shrink_to_fit();
  if (static_cast<int64_t>(split.train.size()) < o.block_size + 1) {
    throw Error("the text is shorter than a block (" + std::to_string(split.train.size()) +
                " train tokens, block_size " + std::to_string(o.block_size) + ")");
  }
  const ModelConfig config = o.config(vocab);
  config.validate();
  check_step_fits_in_memory(config, o.batch_size, o.block_size);
  // --kernels picks the forward; without it, the program's own engine
  const Engine engine = o.kernels.empty()     ? o.engine
                        : o.kernels == "fast" ? Engine::fast
                                              : Engine::lesson;
  const FeaturesFn features = features_of(engine);
  Generator gen(o.seed);
  manual_seed(o.seed);  // the dropout masks (v10+) come from the default generator
  auto model = make_model(config, gen);
  model->train();
  AdamW opt(model->parameters(), o.lr);

  con.out << "bench " << config.model << ": batch " << o.batch_size << " x block " << o.block_size
          << ", n_embed " << o.n_embed;
  if (config.has_heads()) con.out << ", n_head " << o.n_head;
  if (config.grouped()) con.out << ", n_kv_head " << config.n_kv_head;
  if (config.has_blocks()) con.out << ", n_layer " << o.n_layer;
  if (config.has_dropout()) con.out << ", dropout " << course_value_text(o.dropout);
  con.out << ", lr " << o.lr << ", vocab " << vocab << " (" << source << "), "
          << model->num_parameters() << " parameters\n"
          << "kernels: "
          << (engine == Engine::fast ? "fast (the fast engine's coarse ops, bg/fast/fast_model.h)"
                                     : "lesson (the lessons' modules, op by op)")
          << "\n"
          << "built for: " << kGemmTile.isa << (kHardwareFma ? " with" : " without")
          << " fused multiply-add; matrix-product register tile " << kGemmTile.rows << " x "
          << kGemmTile.cols << " floats ("
          << kGemmTile.rows * kGemmTile.cols / kGemmTile.vector_floats << " of "
          << kGemmTile.vector_registers << " vector registers of " << kGemmTile.vector_floats
          << " floats)\n";

  // Threads: the requested count, or the fastest of 1 .. hardware threads.
  BenchResult r;
  const int hw = std::max(1u, std::thread::hardware_concurrency());
  if (o.threads > 0) {
    r.threads = o.threads;
  } else {
    double best = 0.0;
    std::string tried;
    for (int t = 1; t <= std::min(hw, 8); ++t) {
      set_num_threads(t);
      // warm up, then about two seconds of steps (at least 2, at most 30)
      const double warm = quantile(
          run_steps(*model, opt, split.train, o, features, gen, std::max<int64_t>(o.warmup, 2))
              .total,
          1.0);
      const auto trial = static_cast<int64_t>(std::clamp(2000.0 / warm, 2.0, 30.0));
      const double ms =
          quantile(run_steps(*model, opt, split.train, o, features, gen, trial).total, 0.5);
      tried += (tried.empty() ? "" : ", ") + std::to_string(t) + " -> " + fixed(ms, 2) + " ms";
      if (t == 1 || ms < best) {
        best = ms;
        r.threads = t;
      }
    }
    con.out << "threads: tried " << tried << "\n";
  }
  set_num_threads(r.threads);

  run_steps(*model, opt, split.train, o, features, gen, o.warmup);
  const BufferStats before = buffer_stats();
  const StepTimes t = run_steps(*model, opt, split.train, o, features, gen, o.iters);
  const BufferStats after = buffer_stats();

  r.ms_median = quantile(t.total, 0.5);
  r.ms_p10 = quantile(t.total, 0.1);
  r.ms_p90 = quantile(t.total, 0.9);
  r.ms_min = quantile(t.total, 0.0);
  r.ms_max = quantile(t.total, 1.0);
  r.forward_ms = quantile(t.forward, 0.5);
  r.backward_ms = quantile(t.backward, 0.5);
  r.optimizer_ms = quantile(t.optimizer, 0.5);
  r.tokens_per_second = static_cast<double>(o.batch_size * o.block_size) / (r.ms_median / 1e3);
  r.flops_per_step = training_flops(config, o.batch_size, o.block_size);
  r.gflops = r.flops_per_step / (r.ms_median / 1e3) / 1e9;
  r.peak_rss_mb = peak_rss_mb();
  r.peak_gflops = peak_gflops(r.threads);

  const double parts = r.forward_ms + r.backward_ms + r.optimizer_ms;
  auto pct = [&](double v) { return fixed(100.0 * v / parts, 0) + "%"; };
  const size_t requests = (after.hits - before.hits) + (after.misses - before.misses);
  con.out << "threads: " << r.threads << "\n"
          << "steps: " << o.iters << " measured after " << o.warmup << " warm-up\n"
          << "ms/step: median " << fixed(r.ms_median, 3) << " (p10 " << fixed(r.ms_p10, 3)
          << ", p90 " << fixed(r.ms_p90, 3) << ", min " << fixed(r.ms_min, 3) << ", max "
          << fixed(r.ms_max, 3) << ")\n"
          << "tokens/s: " << fixed(r.tokens_per_second, 0) << "\n"
          << "split (medians): forward " << fixed(r.forward_ms, 3) << " ms (" << pct(r.forward_ms)
          << "), backward " << fixed(r.backward_ms, 3) << " ms (" << pct(r.backward_ms)
          << "), optimizer " << fixed(r.optimizer_ms, 3) << " ms (" << pct(r.optimizer_ms) << ")\n"
          << "model: " << fixed(r.flops_per_step / 1e6, 1) << " MFLOP/step (matrix products, "
          << "forward + backward) -> " << fixed(r.gflops, 1) << " GFLOP/s, "
          << fixed(100.0 * r.gflops / r.peak_gflops, 0) << "% of this machine's peak "
          << fixed(r.peak_gflops, 1) << " GFLOP/s on " << r.threads
          << " thread(s) (fused multiply-adds, measured)\n"
          << "tensor buffers: " << (after.hits - before.hits) << " of " << requests
          << " requests served from the recycled cache while measuring\n"
          << "peak resident memory: " << fixed(r.peak_rss_mb, 1) << " MB\n";
  return r;
}

int bench_main(std::span<const std::string> args, Console& con, Engine engine) {
  BenchOptions o = parse_bench_args(args);
  if (o.help) {
    con.out << usage("bench");
    return kExitOk;
  }
  o.engine = engine;
  bench(o, con);
  return kExitOk;
}

}  // namespace bg::cli
