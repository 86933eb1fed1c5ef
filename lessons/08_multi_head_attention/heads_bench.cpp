// Lesson 08 benchmark: a list of heads (the course's v4) against one fused projection.
//
// Both modules hold the same weights (FusedMultiHeadAttention::load_from) and compute the
// same function. For each configuration the program times the forward pass alone (no
// graph) and a training step, forward + backward (the gradient of sum(out * w) with a fixed
// w), the variants taking turns, and prints the medians. "speedup" is list time / that
// variant's time for forward + backward (above 1: faster than the list). Three variants
// besides the list take part in the training steps:
//   copies  the fused heads written the PyTorch way: reshape and transpose to split the
//           heads, batched matmuls, transpose and reshape back (each a copy in this engine)
//   fused   FusedMultiHeadAttention as the reference solution writes it: head_scores and
//           head_mix read each head where it lies
//   engine  the engine's own attention op (bg/fast/ops.h) on the list's weights
// heads_bench_torch.py, next to this file, times the same two modules in PyTorch.
//
//   cmake --build build -j2 --target lesson08_heads_bench && ./build/lesson08_heads_bench
//   ./build/lesson08_heads_bench --reps 50         (more repetitions)
//   BG_THREADS=1 ./build/lesson08_heads_bench      (one thread)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/fast/ops.h"
#include "bg/kernels/parallel.h"
#include "bg/kernels/timing.h"
#include "bg/linalg.h"
#include "bg/ops.h"

namespace {

struct Config {
  int64_t B, T, C, nh;
  const char* label;
};

// The fused heads with the heads split and merged by copies: (B, T, C) -> (B, T, C).
bg::Tensor fused_with_copies(const bg::FusedMultiHeadAttention& f, const bg::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), nh = f.n_head(), hs = f.head_size();
  auto split = [&](const bg::Tensor& t) {  // (B, T, C) -> (B, nh, T, hs)
    return bg::transpose(bg::reshape(t, {B, T, nh, hs}), 1, 2);
  };
  const bg::Tensor q = split(f.query(x)), k = split(f.key(x)), v = split(f.value(x));
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  bg::Tensor wei = bg::mul(bg::matmul(q, bg::transpose(k, -2, -1)), scale);  // (B, nh, T, T)
  wei = bg::softmax(bg::causal_mask(wei), -1);
  return bg::reshape(bg::transpose(bg::matmul(wei, v), 1, 2), {B, T, nh * hs});
}

// The largest |a_i - b_i|.
double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0.0;
  for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, double(std::fabs(a[i] - b[i])));
  return diff;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 21;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--reps N]\n", argv[0]);
      return 2;
    }
  }
  const Config configs[] = {
      {32, 8, 32, 4, "course (v4 default)"},
      {32, 64, 128, 4, "bigger"},
      {16, 256, 256, 8, "long context"},
  };
  try {
    std::printf("median of %d runs, in ms; %d thread(s) (BG_THREADS)\n", reps, bg::num_threads());
    std::printf("%-20s %4s %4s %4s %3s | %9s %9s | %9s | %10s %7s | %9s %7s | %10s %7s | %s\n",
                "config", "B", "T", "C", "nh", "fwd list", "fwd fused", "f+b list", "f+b copies",
                "speedup", "f+b fused", "speedup", "f+b engine", "speedup", "max |diff|");
    for (const Config& c : configs) {
      bg::Generator gen(1);
      bg::MultiHeadAttention list(c.C, c.nh, c.T, gen);
      bg::FusedMultiHeadAttention fused(c.C, c.nh, c.T, gen);
      fused.load_from(list);
      bg::Tensor x = bg::randn({c.B, c.T, c.C}, gen).requires_grad_();
      const bg::Tensor w = bg::randn({c.B, c.T, c.C}, gen);

      // Same function? (one forward of each, compared element by element with the list's)
      const auto a = list(x).tolist();
      const double diff = std::max(max_diff(a, fused(x).tolist()),
                                   max_diff(a, fused_with_copies(fused, x).tolist()));

      // Forward only (no graph recorded), then one training step: forget old gradients,
      // forward, backward.
      const std::vector<double> forward = bg::median_ms({[&] {
                                                           bg::NoGradGuard no_grad;
                                                           (void)list(x);
                                                         },
                                                         [&] {
                                                           bg::NoGradGuard no_grad;
                                                           (void)fused(x);
                                                         }},
                                                        reps);
      const std::vector<double> step =
          bg::median_ms({[&] {
                           list.zero_grad();
                           x.zero_grad();
                           list(x).backward(w);
                         },
                         [&] {
                           fused.zero_grad();
                           x.zero_grad();
                           fused_with_copies(fused, x).backward(w);
                         },
                         [&] {
                           fused.zero_grad();
                           x.zero_grad();
                           fused(x).backward(w);
                         },
                         // The engine's own attention op (bg/fast/ops.h), what `babygpt` trains
                         // with: all heads in one op on the list's weights, heads read in place, no
                         // (T, T) tensor kept.
                         [&] {
                           list.zero_grad();
                           x.zero_grad();
                           bg::fast::attention(x, list).backward(w);
                         }},
                        reps);
      const double f_list = forward[0], f_fused = forward[1];
      const double t_list = step[0], t_copies = step[1], t_fused = step[2], t_engine = step[3];
      std::printf(
          "%-20s %4lld %4lld %4lld %3lld | %9.3f %9.3f | %9.3f | %10.3f %6.2fx | %9.3f %6.2fx | "
          "%10.3f %6.2fx | %.2g\n",
          c.label, static_cast<long long>(c.B), static_cast<long long>(c.T),
          static_cast<long long>(c.C), static_cast<long long>(c.nh), f_list, f_fused, t_list,
          t_copies, t_list / t_copies, t_fused, t_list / t_fused, t_engine, t_list / t_engine,
          diff);
    }
  } catch (const bg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
