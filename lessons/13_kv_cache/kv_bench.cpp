// Lesson 13 benchmark: sampling with and without the KV cache.
//
// For each model shape it builds a BabyGPT v11 with random weights (eval mode: no dropout)
// and samples the same tokens twice from the same seed — bg::generate (the whole window
// through the model for every token) and bg::generate_cached — checking that both write the
// same tokens. Two situations, timed separately:
//   fill  from a 2-token prompt until the window is full (block_size - 2 new tokens): the
//         cache's best case, every step appends one row;
//   slide from a prompt of block_size tokens, so that every new token slides the window: with
//         a learned absolute position table the cache must be rebuilt at every step.
// Each is run `runs` times, the two samplers alternating; the medians of tokens/s are shown.
//
//   cmake --build build -j2 --target lesson13_kv_bench && ./build/lesson13_kv_bench
//   ./build/lesson13_kv_bench --runs 5 --only small       (the small shapes only)
//   BG_THREADS=1 ./build/lesson13_kv_bench                 (one thread)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "bg/data.h"
#include "bg/kernels/parallel.h"
#include "bg/kv_cache.h"
#include "bg/models.h"

namespace {

struct Shape {
  const char* label;
  int64_t block, embed, heads, layers;
  int64_t slide_tokens;  // new tokens in the slide situation
  bool small;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// tokens/s of one sampler run, and its tokens.
struct Run {
  double tokens_per_second;
  std::vector<int32_t> tokens;
};

template <class Sampler>
Run timed(Sampler sample, const bg::LanguageModel& model, const std::vector<int32_t>& prompt,
          int64_t new_tokens) {
  bg::SampleOptions o;
  o.max_new_tokens = new_tokens;
  bg::Generator gen(1337);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int32_t> out = sample(model, prompt, o, gen);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {static_cast<double>(new_tokens) / s, std::move(out)};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--only small|v11]\n", argv[0]);
      return 2;
    }
  }
  const int64_t vocab = 6104;  // the ci corpus
  const Shape shapes[] = {
      {"v11-small A", 64, 128, 4, 4, 64, true},
      {"v11-small B", 128, 192, 6, 4, 32, true},
      {"v11 (course)", 256, 384, 6, 6, 16, false},
  };
  std::printf(
      "BabyGPT v11 shapes with random weights, vocab %lld, %d thread(s) (BG_THREADS); "
      "median of %d runs\n",
      static_cast<long long>(vocab), bg::num_threads(), runs);
  std::printf("%-13s %5s %5s %3s %3s | %-5s %6s | %10s %10s %8s | %s\n", "shape", "block", "C",
              "nh", "L", "case", "tokens", "no cache", "KV cache", "speed-up", "same text");
  for (const Shape& sh : shapes) {
    if ((only == "small" && !sh.small) || (only == "v11" && sh.small)) continue;
    bg::ModelConfig c;
    c.model = "v11";
    c.vocab_size = vocab;
    c.block_size = sh.block;
    c.n_embed = sh.embed;
    c.n_head = sh.heads;
    c.n_layer = sh.layers;
    c.dropout = 0.2f;
    bg::Generator init(1);
    const auto model = bg::make_model(c, init);
    model->eval();
    std::vector<int32_t> long_prompt;
    for (int64_t i = 0; i < sh.block; ++i) {
      long_prompt.push_back(static_cast<int32_t>(init.randint(static_cast<uint64_t>(vocab))));
    }
    struct Case {
      const char* name;
      std::vector<int32_t> prompt;
      int64_t tokens;
    };
    const Case cases[] = {{"fill", {long_prompt[0], long_prompt[1]}, sh.block - 2},
                          {"slide", long_prompt, sh.slide_tokens}};
    for (const Case& k : cases) {
      std::vector<double> plain_tps, cached_tps;
      bool same = true;
      for (int r = 0; r < runs; ++r) {
        const Run p = timed(bg::generate, *model, k.prompt, k.tokens);
        const Run q = timed(
            [](const bg::LanguageModel& m, std::vector<int32_t> context, const bg::SampleOptions& o,
               bg::Generator& g) { return bg::generate_cached(m, std::move(context), o, g); },
            *model, k.prompt, k.tokens);
        plain_tps.push_back(p.tokens_per_second);
        cached_tps.push_back(q.tokens_per_second);
        same = same && p.tokens == q.tokens;
      }
      const double a = median(plain_tps), b = median(cached_tps);
      std::printf("%-13s %5lld %5lld %3lld %3lld | %-5s %6lld | %10.1f %10.1f %7.1fx | %s\n",
                  sh.label, static_cast<long long>(sh.block), static_cast<long long>(sh.embed),
                  static_cast<long long>(sh.heads), static_cast<long long>(sh.layers), k.name,
                  static_cast<long long>(k.tokens), a, b, b / a, same ? "yes" : "NO");
      std::fflush(stdout);
    }
  }
  return 0;
}
