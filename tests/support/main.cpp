// main() of every test program.
//
// With BG_STUB_CHECK=1 in the environment it checks the exercise stubs instead of the
// engine: every test must FAIL, and every failure must carry the "not implemented" message
// of a stub. The program then exits 0 when that holds and 1 otherwise (a crash exits with
// a signal). CI runs it on the pristine exercises to prove the stubs are still stubs and
// that every test of a lesson really depends on that lesson's exercises.
//
// A crash (a segmentation fault, an abort) prints a report: the test, what it was doing, the
// file and line of each frame, and the debugger command for that one test (crash_report.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "crash_report.h"

namespace {

// Tells the crash report which test is running.
class CrashTestName : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& info) override {
    bg::testing::set_crash_test_name(std::string(info.test_suite_name()) + "." + info.name());
  }
  void OnTestEnd(const ::testing::TestInfo&) override { bg::testing::set_crash_test_name(""); }
};

class StubCheck : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const auto* r = info.result();
    std::string name = std::string(info.test_suite_name()) + "." + info.name();
    if (r->Passed()) {
      bad_.push_back(name + ": passed although the exercises are stubs");
      return;
    }
    for (int i = 0; i < r->total_part_count(); ++i) {
      const auto& part = r->GetTestPartResult(i);
      if (part.failed() && std::strstr(part.message(), "not implemented: lesson") == nullptr) {
        bad_.push_back(name + ": failed without the not-implemented message: " +
                       std::string(part.message()).substr(0, 300));
        return;
      }
    }
    ++ok_;
  }
  int report() const {
    std::printf("\nstub check: %d test(s) fail with the not-implemented message\n", ok_);
    for (const auto& b : bad_) std::printf("stub check FAILED: %s\n", b.c_str());
    return bad_.empty() && ok_ > 0 ? 0 : 1;
  }

 private:
  int ok_ = 0;
  std::vector<std::string> bad_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  bg::testing::install_crash_report(argv[0]);
  ::testing::UnitTest::GetInstance()->listeners().Append(new CrashTestName);  // gtest owns it
  const char* env = std::getenv("BG_STUB_CHECK");
  if (env != nullptr && std::strcmp(env, "1") == 0) {
    auto* check = new StubCheck;  // owned by gtest's listener list
    ::testing::UnitTest::GetInstance()->listeners().Append(check);
    const int gtest_status = RUN_ALL_TESTS();  // the stub check decides the exit status
    (void)gtest_status;
    return check->report();
  }
  return RUN_ALL_TESTS();
}
