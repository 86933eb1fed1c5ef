#include "bg/error.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <string>

namespace bg {

std::string shortest_text(float value) {
  char buf[48];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

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
  // One snprintf for the whole message (g++ 12 warns falsely, -Wrestrict, about a chain of
  // std::string += here).
  const std::string_view dir = lesson_dir(lesson);
  char msg[512];
  std::snprintf(msg, sizeof msg,
                "not implemented: lesson %02d, exercise %d (%.*s) — see "
                "lessons/%.*s/README.md#exercise-%d",
                lesson, exercise, static_cast<int>(what.size()), what.data(),
                static_cast<int>(dir.size()), dir.data(), exercise);
  throw NotImplemented(msg);
}

}  // namespace bg
