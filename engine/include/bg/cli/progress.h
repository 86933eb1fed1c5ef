// The training progress lines of the babygpt program: the line printed at every loss estimate
// and the in-place line redrawn between them.
#pragma once

#include <cstdint>
#include <string>

namespace bg::cli {

// "0:07", "3:25", "1:02:03" (seconds rounded down); "--:--" for a negative or non-finite value.
std::string format_duration(double seconds);

// What one progress line shows.
struct Progress {
  int64_t step = 0;   // steps done
  int64_t total = 0;  // steps in all
  double tokens_per_second = 0.0;
  double elapsed = 0.0;  // seconds since training started
};
// The estimated time left: the average time per step so far times the steps left.
double eta_seconds(const Progress& p);
// "step 200/5000 | train 5.1234 | val 5.2345 | 61.2k tok/s | elapsed 0:04 | ETA 1:40"
std::string format_eval_line(const Progress& p, double train_loss, double val_loss);
// "step 123/5000 | 61.2k tok/s | elapsed 0:02 | ETA 1:41" (the in-place line between evals)
std::string format_progress_line(const Progress& p);

}  // namespace bg::cli
