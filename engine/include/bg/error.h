// Errors the engine throws.
//
//   bg::Error           something the caller asked for cannot be done (bad shape, bad file,
//                       bad flag ...). The message names the problem and shows the values.
//   bg::NotImplemented  an exercise stub that the learner has not filled in yet.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace bg {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Deliberately NOT derived from bg::Error: a test that expects a bg::Error must not
// mistake an unfilled stub for the right error.
class NotImplemented : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws NotImplemented with the message every stub uses:
//   "not implemented: lesson 03, exercise 2 (sum_to_shape) — see
//    lessons/03_operations/README.md#exercise-2"
[[noreturn]] void not_implemented(int lesson, int exercise, std::string_view what);

// The shortest text that reads back as `value` ("0.01", "3e-04", "1e+30"), for messages:
// never "0.000000" for a small number, never 40 digits for a large one.
std::string shortest_text(float value);

// The folder name of lesson NN ("03_operations"), or "" for an unknown lesson.
std::string_view lesson_dir(int lesson);

}  // namespace bg
