// Lesson 10 demo: how much gradient reaches each block, with and without residual connections.
//
//   cmake --build build -j2 --target lesson10_grad_flow && ./build/lesson10_grad_flow
//   (lesson10_grad_flow_mine runs the same program on your own lesson code)
//
// Builds BabyGPT v6 (plain blocks), v7 (residual blocks) and v8 (residual blocks with W^O and a
// 4C feed-forward) at the course's sizes — n_embed 32, 4 heads, block 8, the ci corpus's
// vocabulary of 6104 — with 3, 6 and 12 layers, runs one forward and backward pass of the loss
// on a batch of 32 random sequences, and prints grad_norms(blocks): the L2 norm of each block's
// parameter gradients, block 0 (nearest the input) first. Deterministic: the same numbers on
// every run.
#include <cstdio>
#include <string>
#include <vector>

#include "bg/blocks.h"
#include "bg/models.h"
#include "bg/random.h"

int main() {
  constexpr int64_t kVocab = 6104, kB = 32, kT = 8;
  std::printf("gradient norm of each block's parameters after one backward pass, at init\n");
  std::printf("(block 0 is nearest the input; last/first = how much more the last block gets)\n\n");
  std::printf("%-5s %6s %10s  %s\n", "model", "layers", "last/first", "block 0, 1, ...");
  for (int64_t layers : {3, 6, 12}) {
    for (const char* version : {"v6", "v7", "v8"}) {
      bg::ModelConfig c;
      c.model = version;
      c.vocab_size = kVocab;
      c.n_layer = layers;
      bg::Generator gen(1337);
      auto model = bg::make_model(c, gen);
      bg::Batch batch;
      batch.B = kB;
      batch.T = kT;
      for (int64_t i = 0; i < kB * kT; ++i) {
        batch.x.push_back(static_cast<int32_t>(gen.next_u32() % kVocab));
        batch.y.push_back(static_cast<int32_t>(gen.next_u32() % kVocab));
      }
      bg::model_loss(*model, batch).backward();
      const std::vector<float> norms = bg::grad_norms(*dynamic_cast<const bg::GPT&>(*model).blocks);
      std::string row;
      for (float n : norms) {
        char cell[16];
        std::snprintf(cell, sizeof cell, "%s%.3g", row.empty() ? "" : " ", static_cast<double>(n));
        row += cell;
      }
      std::printf("%-5s %6lld %10.3g  %s\n", version, static_cast<long long>(layers),
                  static_cast<double>(norms.back() / norms.front()), row.c_str());
    }
  }
  return 0;
}
