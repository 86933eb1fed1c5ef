// What the tests of the babygpt program share: a fresh directory per test, a way to run the
// program in-process, and a small deterministic text to train on.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "bg/cli/program.h"
#include "bg/io/fileio.h"
#include "bg/random.h"

namespace bg::cli::testing {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

// A fresh directory per test, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() / ("bg_cli_" + std::string(info->test_suite_name()) + "_" +
                                     std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  struct Result {
    int code;
    std::string out, err;
  };
  // `babygpt args...`, in this process.
  static Result babygpt(const Args& args) {
    std::ostringstream out, err;
    const int code = run(args, out, err);
    return {code, out.str(), err.str()};
  }

  // A few KB of pseudo-poetry: lines of 5 or 7 characters drawn from a fixed set (it holds
  // the course's prompts 春江 and 往事), deterministic.
  fs::path make_text(const std::string& name = "poems.txt", int lines = 300) const {
    const std::vector<std::string> chars = {"春", "江", "花", "月", "夜", "往", "事", "风",
                                            "雨", "山", "水", "人", "归", "去", "来", "时"};
    Generator gen(11);
    std::string text;
    for (int l = 0; l < lines; ++l) {
      const int n = gen.randint(2) == 0 ? 5 : 7;
      for (int i = 0; i < n; ++i) text += chars[gen.randint(chars.size())];
      text += l % 4 == 3 ? "。\n\n" : "，\n";
    }
    write_file_atomic(path(name), text);
    return path(name);
  }

  fs::path dir_;
};

// The last line of `s` (trailing newlines ignored).
inline std::string last_line(const std::string& s) {
  std::string t = s;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

}  // namespace bg::cli::testing
