// The training progress lines of the babygpt program (bg/cli/progress.h).
#include "bg/cli/progress.h"

#include <cmath>
#include <cstdio>

namespace bg::cli {

namespace {

std::string format_rate(double tokens_per_second) {
  char buf[32];
  if (!std::isfinite(tokens_per_second) || tokens_per_second < 0) return "-- tok/s";
  if (tokens_per_second >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM tok/s", tokens_per_second / 1e6);
  } else if (tokens_per_second >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1fk tok/s", tokens_per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f tok/s", tokens_per_second);
  }
  return buf;
}

std::string step_text(const Progress& p) {
  return "step " + std::to_string(p.step) + "/" + std::to_string(p.total);
}

std::string timing_text(const Progress& p) {
  return format_rate(p.tokens_per_second) + " | elapsed " + format_duration(p.elapsed) + " | ETA " +
         format_duration(eta_seconds(p));
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(seconds);
  char buf[48];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

double eta_seconds(const Progress& p) {
  if (p.step <= 0) return -1.0;  // unknown yet
  if (p.step >= p.total) return 0.0;
  return p.elapsed / static_cast<double>(p.step) * static_cast<double>(p.total - p.step);
}

std::string format_eval_line(const Progress& p, double train_loss, double val_loss) {
  char losses[64];
  std::snprintf(losses, sizeof losses, " | train %.4f | val %.4f | ", train_loss, val_loss);
  return step_text(p) + losses + timing_text(p);
}

std::string format_progress_line(const Progress& p) {
  return step_text(p) + " | " + timing_text(p);
}

}  // namespace bg::cli
