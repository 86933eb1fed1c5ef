// Lesson 12: what a BabyGPT costs, from exercise 3's closed forms (bg/scaling.h).
//
// With no flags it prints the course's models; with flags, one configuration of yours. For each:
// parameters, forward FLOPs per token (at T = block_size), and the training FLOPs of one step
// and of a whole run, counting a training step as 3 forwards (the backward computes two
// products for every product of the forward: the gradient of its input and of its weight).
//
//   cmake --build build -j2 --target lesson12_cost && ./build/lesson12_cost
//   ./build/lesson12_cost --model v11 --batch-size 32 --block-size 32 --n-embed 128
//       --n-head 4 --n-layer 4 --iters 1500                    (one line)
//   ./build/lesson12_cost_mine          (the same, on your exercise 3)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bg/error.h"
#include "bg/models.h"
#include "bg/scaling.h"

namespace {

struct Run {
  const char* label;
  bg::ModelConfig config;
  int64_t batch, iters;
};

bg::ModelConfig make(const std::string& model, int64_t block, int64_t C, int64_t heads,
                     int64_t layers, float dropout) {
  bg::ModelConfig c;
  c.model = model;
  c.vocab_size = 6104;  // the ci corpus
  c.block_size = block;
  c.n_embed = C;
  c.n_head = heads;
  c.n_layer = layers;
  c.dropout = dropout;
  return c;
}

void print(const Run& r) {
  const bg::ModelConfig& c = r.config;
  const double fwd = bg::gpt_forward_flops_per_token(c, c.block_size);
  const double step = 3.0 * fwd * static_cast<double>(r.batch * c.block_size);
  std::printf("%-14s %-4s %5lld %4lld %4lld %3lld %3lld | %12lld | %9.2f | %9.2f | %9.0f\n",
              r.label, c.model.c_str(), static_cast<long long>(r.batch),
              static_cast<long long>(c.block_size), static_cast<long long>(c.n_embed),
              static_cast<long long>(c.n_head), static_cast<long long>(c.n_layer),
              static_cast<long long>(bg::gpt_parameter_count(c)), fwd / 1e6, step / 1e9,
              step * static_cast<double>(r.iters) / 1e12);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Run> runs;
  try {
    if (argc > 1) {
      Run r{"yours", make("v11", 256, 384, 6, 6, 0.2f), 64, 5000};
      for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) throw bg::Error(std::string(argv[i]) + " needs a value");
        const std::string flag = argv[i], value = argv[i + 1];
        const long long n = std::atoll(value.c_str());
        if (flag == "--model") {
          r.config.model = value;
        } else if (flag == "--vocab-size") {
          r.config.vocab_size = n;
        } else if (flag == "--batch-size") {
          r.batch = n;
        } else if (flag == "--block-size") {
          r.config.block_size = n;
        } else if (flag == "--n-embed") {
          r.config.n_embed = n;
        } else if (flag == "--n-head") {
          r.config.n_head = n;
        } else if (flag == "--n-layer") {
          r.config.n_layer = n;
        } else if (flag == "--iters") {
          r.iters = n;
        } else {
          throw bg::Error("unknown flag " + flag +
                          " (--model --vocab-size --batch-size --block-size --n-embed --n-head "
                          "--n-layer --iters)");
        }
      }
      if (!r.config.has_dropout()) r.config.dropout = 0.0f;
      runs.push_back(r);
    } else {
      runs = {
          {"v4 course", make("v4", 8, 32, 4, 3, 0.0f), 32, 5000},
          {"v9 course", make("v9", 8, 32, 4, 3, 0.0f), 32, 5000},
          {"v10 course", make("v10", 8, 32, 4, 3, 0.2f), 32, 5000},
          {"v11 CPU-sized", make("v11", 32, 128, 4, 4, 0.1f), 32, 1500},
          {"v11", make("v11", 256, 384, 6, 6, 0.2f), 64, 5000},
      };
    }
    std::printf("%-14s %-4s %5s %4s %4s %3s %3s | %12s | %9s | %9s | %9s\n", "", "", "batch", "T",
                "C", "nh", "L", "parameters", "MFLOP/tok", "GFLOP/stp", "TFLOP/run");
    for (const Run& r : runs) print(r);
    std::printf(
        "(vocabulary 6104; FLOPs of the matrix products at T = block_size; a training "
        "step = 3 forwards; a run = its iters steps)\n");
  } catch (const bg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
