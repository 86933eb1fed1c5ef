#include "bg/error.h"

#include <array>
#include <cstdio>

namespace bg {

std::string_view lesson_dir(int lesson) {
  static constexpr std::array<std::string_view, 14> dirs = {"00_getting_started",
                                                            "01_tensors",
                                                            "02_autograd",
                                                            "03_operations",
                                                            "04_linear_layers",
                                                            "05_language_model",
                                                            "06_position_embedding",
                                                            "07_self_attention",
                                                            "08_multi_head_attention",
                                                            "09_feed_forward_and_blocks",
                                                            "10_residual_connections",
                                                            "11_layer_normalization",
                                                            "12_dropout_and_scaling",
                                                            "13_kv_cache"};
  if (lesson < 0 || lesson >= static_cast<int>(dirs.size())) return {};
  return dirs[static_cast<size_t>(lesson)];
}

void not_implemented(int lesson, int exercise, std::string_view what) {
  char head[64];
  std::snprintf(head, sizeof head, "lesson %02d, exercise %d", lesson, exercise);
  std::string msg = "not implemented: ";
  msg += head;
  msg += " (";
  msg += what;
  msg += ") — see lessons/";
  msg += lesson_dir(lesson);
  msg += "/README.md#exercise-";
  msg += std::to_string(exercise);
  throw NotImplemented(msg);
}

}  // namespace bg
