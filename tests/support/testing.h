// Helpers shared by every lesson's tests.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/tensor.h"
#include "crash_report.h"

namespace bg::testing {

// Every element of `t` is within atol + rtol·|expected| of `expected` (and the shapes
// agree). The failure message names the first bad index and prints both values.
::testing::AssertionResult AllClose(const Tensor& t, const std::vector<float>& expected,
                                    double atol = 1e-5, double rtol = 1e-5);
::testing::AssertionResult AllClose(const Tensor& t, const Tensor& expected, double atol = 1e-5,
                                    double rtol = 1e-5);

// gradcheck as a gtest assertion: EXPECT_TRUE(GradOk("mul", f, {a, b}));
::testing::AssertionResult GradOk(const std::string& name, const GradcheckFn& f,
                                  const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options = {});

// `text` contains `part`. On failure the message says in words what was expected and shows
// the whole text; `what` names the text ("the error message", "stderr", "the SVG" …):
//   EXPECT_TRUE(Mentions(r.err, "--lr", "stderr"));
//   -> stderr should mention "--lr", but was: "unknown flag --iterz …"
::testing::AssertionResult Mentions(const std::string& text, const std::string& part,
                                    const std::string& what = "the text");
// The opposite: `text` does not contain `part` (the failure message shows where it does).
::testing::AssertionResult DoesNotMention(const std::string& text, const std::string& part,
                                          const std::string& what = "the text");

// The message of the bg::Error that `fn` throws. A bg::NotImplemented (an unfilled stub)
// is rethrown so the test reports it as such; no error at all, or another exception type,
// is a test failure (and the message is empty).
template <class Fn>
std::optional<std::string> ErrorMessageIfThrown(Fn&& fn) {
  try {
    fn();
  } catch (const bg::NotImplemented&) {
    throw;
  } catch (const bg::Error& e) {
    return std::string(e.what());
  }
  ADD_FAILURE() << "expected a bg::Error, but nothing was thrown";
  return std::nullopt;
}
template <class Fn>
std::string ErrorMessage(Fn&& fn) {
  return ErrorMessageIfThrown(std::forward<Fn>(fn)).value_or("");
}

// Runs `fn` on a new thread whose stack holds only `stack_bytes` (256 KB by default; the
// main thread has 8 MB), waits for it, and rethrows whatever it threw. Deep-graph tests run
// their body here, so a recursive graph walk (100,000 frames of at least ~50 bytes) really
// overflows the stack instead of passing on the main thread's large one.
void RunWithSmallStack(const std::function<void()>& fn, size_t stack_bytes = 256 * 1024);

}  // namespace bg::testing

// SCOPED_TRACE that also tells the crash report what the test is doing: a failure inside the
// scope shows `what`, and so does a crash ("It was doing: v9 > position 3"). `what` is a
// string (or a string literal).
//   BG_TRACE("position " + std::to_string(t));
#define BG_TRACE_CAT2(a, b) a##b
#define BG_TRACE_CAT(a, b) BG_TRACE_CAT2(a, b)
#define BG_TRACE(what)                                            \
  const std::string BG_TRACE_CAT(bg_trace_text_, __LINE__)(what); \
  SCOPED_TRACE(BG_TRACE_CAT(bg_trace_text_, __LINE__));           \
  const ::bg::testing::CrashContext BG_TRACE_CAT(bg_trace_crash_, \
                                                 __LINE__)(BG_TRACE_CAT(bg_trace_text_, __LINE__))

// Expects `stmt` to throw bg::Error whose message contains every one of the strings given
// (EXPECT_BG_ERROR(stmt) with no strings: only that it throws a bg::Error).
//   EXPECT_BG_ERROR(matmul(a, b), "[2, 3]", "[4, 5]");
#define EXPECT_BG_ERROR(stmt, ...)                                                   \
  do {                                                                               \
    const std::optional<std::string> bg_msg_ =                                       \
        ::bg::testing::ErrorMessageIfThrown([&] { (void)(stmt); });                  \
    if (bg_msg_) {                                                                   \
      for (const char* bg_part_ : std::initializer_list<const char*>{__VA_ARGS__}) { \
        const ::testing::AssertionResult bg_ok_ =                                    \
            ::bg::testing::Mentions(*bg_msg_, bg_part_, "the error message");        \
        if (!bg_ok_) ADD_FAILURE() << bg_ok_.message();                              \
      }                                                                              \
    }                                                                                \
  } while (0)
