#include "bg/error.h"

#include <charconv>
#include <cstdio>
#include <string>

namespace bg {

std::string shortest_text(float value) {
  char buf[48];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

#ifndef BG_LESSON_DIRS
#error "BG_LESSON_DIRS (the lesson folders, comma-separated) comes from CMakeLists.txt"
#endif

std::string_view lesson_dir(int lesson) {
  // The folders lessons/NN_name, as CMake found them: "00_getting_started,01_tensors,...".
  std::string_view dirs = BG_LESSON_DIRS;
  while (!dirs.empty()) {
    const size_t comma = dirs.find(',');
    const std::string_view dir = dirs.substr(0, comma);
    if (dir.size() > 2 && (dir[0] - '0') * 10 + (dir[1] - '0') == lesson) return dir;
    dirs = comma == std::string_view::npos ? std::string_view() : dirs.substr(comma + 1);
  }
  return {};
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
