// What a test program prints when it crashes.
//
// A segmentation fault or an abort() ends the process before GoogleTest can report anything:
// ctest shows only "***Exception: SegFault". The handler installed here prints, instead:
//   - the signal, in words, and the test that was running;
//   - what the test was doing, as the test said with CrashContext ("v9, block 1, backward");
//   - on Linux, the file and line of every frame of the crash (addr2line over the program's
//     line tables), so the first frame in exercises/ points at the learner's bug;
//   - the command that runs that one test under a debugger.
// Then the signal is raised again, so the exit status is still the crash's.
#pragma once

#include <string>

namespace bg::testing {

// Installs the handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. `program` is
// argv[0]. Builds with AddressSanitizer keep its own handler, which reports more.
void install_crash_report(const char* program);

// The name of the running test ("Suite.Name"), for the report; main.cpp sets it.
void set_crash_test_name(const std::string& name);
const char* crash_test_name();  // what the report would print (for its own test)

// While alive, a crash report says the test was doing `what` (contexts nest: the report
// shows "v9 > backward"). Only for the thread that runs the test. BG_TRACE (testing.h) is a
// SCOPED_TRACE and a CrashContext in one.
class CrashContext {
 public:
  explicit CrashContext(const std::string& what);
  ~CrashContext();
  CrashContext(const CrashContext&) = delete;
  CrashContext& operator=(const CrashContext&) = delete;

 private:
  std::string previous_;
};

}  // namespace bg::testing
