// Lesson 11 benchmark: layer normalisation as one coarse op (bg::layer_norm, the lesson's two
// kernels) against the same function composed of nine small ops.
//
// For each shape it prints, for both versions: the graph nodes one call records, the memory
// those nodes hold until the backward pass (every op's output is kept: the next op needs it, or
// its backward does; for the coarse op also its saved mean and rstd, 2 floats per row), and the
// median time of forward + backward (the gradient of sum(y * w) for a fixed w, with respect to x,
// weight and bias). "max |diff|" compares the two outputs.
//
//   cmake --build build -j2 --target lesson11_layer_norm_bench && ./build/lesson11_layer_norm_bench
//   ./build/lesson11_layer_norm_bench --reps 50        (more repetitions)
//   ./build/lesson11_layer_norm_bench_mine             (the same, on your kernels)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/error.h"
#include "bg/kernels/parallel.h"
#include "bg/kernels/timing.h"
#include "bg/ops.h"

namespace {

struct Shape3 {
  int64_t B, T, C;
  const char* label;
};

// The same function from the ops of lessons 03-04: nine ops, nine graph nodes.
bg::Tensor composed_layer_norm(const bg::Tensor& x, const bg::Tensor& w, const bg::Tensor& b,
                               float eps = 1e-5f) {
  const bg::Tensor mu = bg::mean(x, -1, true);                // (rows, 1)
  const bg::Tensor d = bg::sub(x, mu);                        // (rows, C)
  const bg::Tensor var = bg::mean(bg::mul(d, d), -1, true);   // (rows, C) -> (rows, 1)
  const bg::Tensor rstd = bg::pow(bg::add(var, eps), -0.5f);  // (rows, 1), two ops
  return bg::add(bg::mul(bg::mul(d, rstd), w), b);            // (rows, C), three ops
}

// Graph nodes made by ops (not leaves) reachable from `y`, and the floats they hold.
struct GraphSize {
  int64_t nodes = 0, floats = 0;
};
GraphSize graph_size(const bg::Tensor& y) {
  GraphSize s;
  std::unordered_set<const bg::Node*> seen;
  std::vector<const bg::Node*> todo{&y.node()};
  while (!todo.empty()) {
    const bg::Node* n = todo.back();
    todo.pop_back();
    if (!seen.insert(n).second || n->parents.empty()) continue;
    ++s.nodes;
    s.floats += static_cast<int64_t>(n->data.size());
    for (const bg::Tensor& p : n->parents) todo.push_back(&p.node());
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 11;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--reps N]\n", argv[0]);
      return 2;
    }
  }
  const Shape3 shapes[] = {
      {32, 8, 32, "v9 course"},
      {32, 32, 128, "v11 CPU-sized"},
      {64, 256, 384, "v11"},
  };
  try {
    std::printf("median of %d runs; %d thread(s) (BG_THREADS)\n", reps, bg::num_threads());
    std::printf("%-14s %6s %4s | %5s %10s %9s | %5s %10s %9s | %7s | %s\n", "shape", "rows", "C",
                "nodes", "MB kept", "ms f+b", "nodes", "MB kept", "ms f+b", "speedup",
                "max |diff|");
    std::printf("%-26s | %-27s | %-27s |\n", "", "  one op (layer_norm)", "  nine ops (composed)");
    for (const Shape3& s : shapes) {
      bg::Generator gen(1);
      bg::Tensor x = bg::randn({s.B, s.T, s.C}, gen).requires_grad_();
      bg::Tensor w = bg::add(bg::randn({s.C}, gen), 1.0f).requires_grad_();
      bg::Tensor b = bg::randn({s.C}, gen).requires_grad_();
      const bg::Tensor g = bg::randn({s.B, s.T, s.C}, gen);

      GraphSize one, nine;
      double diff = 0.0;
      {
        const bg::Tensor y1 = bg::layer_norm(x, w, b);
        const bg::Tensor y9 = composed_layer_norm(x, w, b);
        one = graph_size(y1);
        one.floats += 2 * s.B * s.T;  // mean and rstd, saved inside the op's backward
        nine = graph_size(y9);
        const auto a = y1.tolist(), c = y9.tolist();
        for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, double(std::fabs(a[i] - c[i])));
      }
      // Forget the old gradients (their buffers go back to the cache), forward, backward.
      auto step = [&](bool coarse) {
        for (bg::Tensor* t : {&x, &w, &b}) t->zero_grad();
        (coarse ? bg::layer_norm(x, w, b) : composed_layer_norm(x, w, b)).backward(g);
      };
      const std::vector<double> t =
          bg::median_ms({[&] { step(true); }, [&] { step(false); }}, reps);
      const double t1 = t[0], t9 = t[1];
      const double mb = 4.0 / 1e6;
      std::printf("%-14s %6lld %4lld | %5lld %10.2f %9.3f | %5lld %10.2f %9.3f | %6.1fx | %.2g\n",
                  s.label, static_cast<long long>(s.B * s.T), static_cast<long long>(s.C),
                  static_cast<long long>(one.nodes), one.floats * mb, t1,
                  static_cast<long long>(nine.nodes), nine.floats * mb, t9, t9 / t1, diff);
    }
  } catch (const bg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
