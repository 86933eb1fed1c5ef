// The test programs' crash report (tests/support/crash_report.h): a test that crashes says
// which test it was, what it was doing, and where, by file and line.
#include "crash_report.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "testing.h"

namespace bg::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__)
#define BG_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BG_TEST_UNDER_ASAN 1
#endif
#endif

[[gnu::noinline]] void write_through(volatile int* p) { *p = 1; }

void crash_in_context() {
  CrashContext outer("v9");
  CrashContext inner("block 1");
  write_through(nullptr);  // the line the report must name
}

TEST(CrashReport, SaysWhatTheTestDidAndTheFileAndLine) {
#ifdef BG_TEST_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer's own report replaces this one";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // (A death test's child process gets no test events, so the report cannot name the test
  // here; KnowsTheRunningTest checks that part.)
  EXPECT_DEATH(crash_in_context(), "SIGSEGV(.|\n)*It was doing: v9 > block 1(.|\n)*gdb -batch");
#if defined(__linux__) && defined(__GLIBC__)
  EXPECT_DEATH(crash_in_context(), "write_through.*crash_report_test.cpp:[0-9]+");
#endif
#endif
}

TEST(CrashReport, KnowsTheRunningTest) {
  EXPECT_STREQ(crash_test_name(), "CrashReport.KnowsTheRunningTest");
}

TEST(CrashReport, ContextsNestAndEnd) {
#ifdef BG_TEST_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer's own report replaces this one";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  { CrashContext gone("this context has ended"); }
  BG_TRACE("step 3");  // SCOPED_TRACE and CrashContext in one
  EXPECT_DEATH(raise(SIGABRT), "SIGABRT(.|\n)*It was doing: step 3\n");
#endif
}

}  // namespace
}  // namespace bg::testing
