// Lesson 09 demo: what the feed-forward layers of a trained model do on real text.
//
//   cmake --build build -j2 --target lesson09_relu_activity
//   ./build/lesson09_relu_activity runs/v6/model.safetensors [data/ci.txt]
//   (lesson09_relu_activity_mine runs the same program on your own lesson code)
//
// Loads a v5+ checkpoint, runs it on the first 4,000 windows of block_size characters of the
// validation split (the last 10 % of the text) and prints, for every feed-forward (v5's one,
// or each block's):
//   - how many of its hidden ReLU units are never active (input > 0) on any of those positions,
//   - the mean fraction of positions on which a unit is active,
//   - the size (root mean square) of the layer's output — after a block, of the block's output —
//     and of how much it varies from position to position (rms of the output minus its mean
//     over all positions). A variation of 0 means: whatever the text, the same vector.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/cli/checkpoint.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/models.h"
#include "bg/ops.h"

namespace {

// rms of t, and rms of t minus its mean over all rows (t viewed as rows of its last dim)
void print_sizes(const bg::Tensor& t) {
  const int64_t C = t.size(-1);
  const int64_t rows = t.numel() / C;
  std::vector<double> mean(static_cast<size_t>(C), 0.0);
  double sq = 0.0;
  const auto d = t.data();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) {
      const double v = d[static_cast<size_t>(r * C + c)];
      mean[static_cast<size_t>(c)] += v / static_cast<double>(rows);
      sq += v * v;
    }
  double dev = 0.0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) {
      const double e = d[static_cast<size_t>(r * C + c)] - mean[static_cast<size_t>(c)];
      dev += e * e;
    }
  const double n = static_cast<double>(rows * C);
  std::printf("  output rms %.3g, varies by %.3g\n", std::sqrt(sq / n), std::sqrt(dev / n));
}

// z: the feed-forward's pre-activations (..., H). Prints how often each unit is positive.
void print_activity(const char* what, const bg::Tensor& z) {
  const int64_t H = z.size(-1);
  const int64_t rows = z.numel() / H;
  std::vector<int64_t> active(static_cast<size_t>(H), 0);
  const auto d = z.data();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t u = 0; u < H; ++u)
      active[static_cast<size_t>(u)] += d[static_cast<size_t>(r * H + u)] > 0;
  int64_t dead = 0;
  double fraction = 0.0;
  for (int64_t a : active) {
    dead += a == 0;
    fraction += static_cast<double>(a) / static_cast<double>(rows * H);
  }
  std::printf("%-8s ReLU units never active: %lld of %lld, mean active fraction %.3f\n", what,
              static_cast<long long>(dead), static_cast<long long>(H), fraction);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s CHECKPOINT [TEXT (default data/ci.txt)]\n", argv[0]);
    return 2;
  }
  try {
    bg::cli::Checkpoint ck = bg::cli::load_checkpoint(argv[1]);  // in eval mode
    const auto* gpt = dynamic_cast<const bg::GPT*>(ck.model.get());
    if (gpt == nullptr) {
      std::fprintf(stderr, "%s is a %s: this program needs v5 or later\n", argv[1],
                   ck.config.model.c_str());
      return 1;
    }
    const std::string text = bg::read_file(argc == 3 ? argv[2] : "data/ci.txt");
    const bg::Split split = bg::split_train_val(ck.tokenizer.encode(text));
    const int64_t T = ck.config.block_size;
    const int64_t B = std::min<int64_t>(4000, static_cast<int64_t>(split.val.size()) / T);
    if (B <= 0) {
      std::fprintf(stderr, "the validation split is shorter than one block\n");
      return 1;
    }
    const std::span<const int32_t> idx(split.val.data(), static_cast<size_t>(B * T));
    std::printf("%s (%s), %lld positions of the validation split\n", argv[1],
                ck.config.model.c_str(), static_cast<long long>(B * T));

    bg::NoGradGuard no_grad;
    bg::Tensor h = gpt->embed(idx, B, T);  // (B, T, C)
    if (gpt->ffwd) {                       // v5: heads, then one feed-forward
      const bg::Tensor a = gpt->sa_heads->forward(h);
      print_activity("ffwd", gpt->ffwd->net0(a));
      print_sizes(gpt->ffwd->forward(a));
      return 0;
    }
    for (size_t l = 0; l < gpt->blocks->blocks.size(); ++l) {
      const bg::Block& block = *gpt->blocks->blocks[l];
      // what the block's feed-forward reads, for each kind of block (lessons 09-11)
      bg::Tensor ffwd_in;
      switch (block.config().kind) {
        case bg::BlockKind::plain:
          ffwd_in = block.sa->forward(h);
          break;
        case bg::BlockKind::residual:
          ffwd_in = bg::add(h, block.sa->forward(h));
          break;
        case bg::BlockKind::prenorm:
          ffwd_in = block.ln2->forward(bg::add(h, block.sa->forward(block.ln1->forward(h))));
          break;
      }
      const std::string name = "block " + std::to_string(l);
      print_activity(name.c_str(), block.ffwd.net0(ffwd_in));
      h = block.forward(h);
      print_sizes(h);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
