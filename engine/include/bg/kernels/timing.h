// Timing for the lessons' benchmark programs (lesson 08's heads_bench, lesson 11's
// layer_norm_bench): variants of one computation, measured side by side.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace bg {

// The median wall time of each of `steps`, in milliseconds, over `reps` runs, after two
// warm-up runs of each. The steps take turns (a, b, a, b, ...), so that a slow stretch of a
// shared machine slows every variant alike instead of one of them.
inline std::vector<double> median_ms(const std::vector<std::function<void()>>& steps, int reps) {
  for (const auto& step : steps) {
    step();
    step();
  }
  std::vector<std::vector<double>> ms(steps.size());
  for (int r = 0; r < reps; ++r) {
    for (size_t s = 0; s < steps.size(); ++s) {
      const auto t0 = std::chrono::steady_clock::now();
      steps[s]();
      const auto t1 = std::chrono::steady_clock::now();
      ms[s].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
  std::vector<double> medians;
  for (auto& m : ms) {
    std::sort(m.begin(), m.end());
    medians.push_back(m[m.size() / 2]);
  }
  return medians;
}

}  // namespace bg
