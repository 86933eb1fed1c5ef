// The crash report of the test programs (crash_report.h).
//
// A signal handler may only call async-signal-safe functions: no malloc, no iostream, no
// locks. So everything the report needs is prepared beforehand in fixed buffers (the
// program's path, where it is loaded, the test's name and context), and the handler only
// formats digits into its own stack, write()s, fork()s and exec()s.
#include "crash_report.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#if defined(__linux__) && defined(__GLIBC__)
#include <execinfo.h>
#include <link.h>
#include <sys/wait.h>
#define BG_CRASH_ADDR2LINE 1
#endif

#if defined(__SANITIZE_ADDRESS__)
#define BG_CRASH_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BG_CRASH_UNDER_ASAN 1
#endif
#endif

namespace bg::testing {
namespace {

constexpr size_t kText = 1024;
// What the report prints, prepared before any crash.
char g_program[kText];   // argv[0], for the debugger command
char g_exe[kText];       // the program's file, for addr2line
char g_test[kText];      // the running test, "Suite.Name"
char g_context[kText];   // what it is doing, "v9 > backward"
char g_sanitize[kText];  // "tools/sanitize.sh 07 exercises", when argv[0] names a lesson
uintptr_t g_load_bias = 0, g_text_begin = 0, g_text_end = 0;  // where the program is loaded
std::atomic<bool> g_crashing{false};

void copy_text(char* to, const std::string& from) {
  const size_t n = std::min(from.size(), kText - 1);
  std::memcpy(to, from.data(), n);
  to[n] = '\0';
}

void say(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

const char* describe(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV, a segmentation fault: the program read or wrote memory it does not own "
             "(an index past the end of a buffer, a reference to a tensor that is gone, a null "
             "pointer, or a recursion too deep for the stack)";
    case SIGBUS:
      return "SIGBUS: a read or write at an address that cannot be accessed";
    case SIGFPE:
      return "SIGFPE: an integer division by zero (floats divide by zero without a signal)";
    case SIGILL:
      return "SIGILL: an illegal instruction (a function that returns no value where it must, "
             "or code built for another processor)";
    case SIGABRT:
      return "SIGABRT: something called abort(). Often the C library found the heap broken "
             "(a write past the end of a buffer, earlier, somewhere else), or a noexcept "
             "function threw";
    default:
      return "a fatal signal";
  }
}

#ifdef BG_CRASH_ADDR2LINE
// The first object dl_iterate_phdr reports is the program itself: its load bias and the
// addresses of its executable segments.
int find_program(dl_phdr_info* info, size_t, void*) {
  g_load_bias = info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    const uintptr_t end = begin + ph.p_memsz;
    if (g_text_begin == 0 || begin < g_text_begin) g_text_begin = begin;
    g_text_end = std::max(g_text_end, end);
  }
  return 1;  // stop after the first
}

void hex(uintptr_t v, char* out) {  // "0x1a2b" into out (at least 19 bytes)
  char digits[16];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  *out++ = '0';
  *out++ = 'x';
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

bool in_program(void* frame) {
  const auto pc = reinterpret_cast<uintptr_t>(frame);
  return pc >= g_text_begin && pc < g_text_end;
}

// Writes addr2line's lines that help: no frame without a known line (GoogleTest's own, the
// C library's), nothing after the test's body, no "(discriminator N)".
void print_useful_lines(char* text, size_t size) {
  char* line = text;
  for (char* end = text; end < text + size; ++end) {
    if (*end != '\n') continue;
    *end = '\0';
    if (std::strstr(line, "??:") == nullptr) {
      char* noise = std::strstr(line, " (discriminator");
      if (noise != nullptr) *noise = '\0';
      say("***   ");
      say(line);
      say("\n");
      if (std::strstr(line, "::TestBody()") != nullptr) return;
    }
    line = end + 1;
  }
}

// addr2line prints "function at file:line" for each frame of the program (inlined calls too).
[[gnu::noinline]] void print_frames(int sig) {
  void* frames[64];
  const int n = backtrace(frames, 64);
  // The first frames are this handler's; then comes the signal's trampoline (in the C
  // library), then the instruction that faulted (its exact address), then return addresses,
  // each one past its call: step back into the call.
  int first = 0;
  while (first < n && in_program(frames[first])) ++first;
  constexpr int kMax = 40;
  static char text[kMax][20];
  char* argv[8 + kMax + 1];
  int argc = 0;
  argv[argc++] = const_cast<char*>("addr2line");
  argv[argc++] = const_cast<char*>("-C");  // demangled names
  argv[argc++] = const_cast<char*>("-f");  // the function
  argv[argc++] = const_cast<char*>("-i");  // and what was inlined into it
  argv[argc++] = const_cast<char*>("-p");  // one readable line each
  argv[argc++] = const_cast<char*>("-e");
  argv[argc++] = g_exe;
  int k = 0;
  for (int i = first + 1; i < n && k < kMax; ++i) {
    if (!in_program(frames[i])) continue;  // in a shared library
    const bool exact = i == first + 1 && sig != SIGABRT;
    hex(reinterpret_cast<uintptr_t>(frames[i]) - g_load_bias - (exact ? 0 : 1), text[k]);
    argv[argc++] = text[k++];
  }
  argv[argc] = nullptr;
  int out[2];
  if (k == 0 || pipe(out) != 0) return;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execvp("addr2line", argv);
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) return;
  static char lines[1 << 16];
  size_t size = 0;
  for (ssize_t got = 1; got > 0 && size < sizeof(lines);) {
    got = read(out[0], lines + size, sizeof(lines) - size);
    if (got > 0) size += static_cast<size_t>(got);
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (size == 0) {
    say("***   (no file and line: addr2line, from binutils, is missing; use the debugger)\n");
    return;
  }
  say("*** Where, innermost call first (the first line in exercises/ is most likely yours):\n");
  print_useful_lines(lines, size);
}
#endif

void on_crash(int sig) {
  if (g_crashing.exchange(true)) {  // another thread crashed too: let the first one report
    for (;;) pause();
  }
  say("\n\n*** The test program crashed: ");
  say(describe(sig));
  say(".\n");
  if (g_test[0] != '\0') {
    say("*** The test running: ");
    say(g_test);
    say("\n");
  }
  if (g_context[0] != '\0') {
    say("*** It was doing: ");
    say(g_context);
    say("\n");
  }
#ifdef BG_CRASH_ADDR2LINE
  print_frames(sig);
#endif
  say("*** To stop at the crash in a debugger and see every frame (about 5 s):\n***   gdb -batch "
      "-ex run -ex bt --args ");
  say(g_program);
  if (g_test[0] != '\0') {
    say(" --gtest_filter=");
    say(g_test);
  }
  say("\n***   (macOS: lldb --batch -o run -o bt -- ... with the same arguments)\n");
  if (g_sanitize[0] != '\0') {
    say(sig == SIGABRT ? "*** A broken heap is found after the damage, not where it was done. "
                       : "*** ");
    say("To stop at the first bad read or write, with its file and line, run this lesson's "
        "tests\n*** with AddressSanitizer (the first run builds them, a few minutes):\n***   ");
    say(g_sanitize);
    if (g_test[0] != '\0') {
      say(" -R '");
      say(g_test);
      say("$'");
    }
    say("\n");
  }
  say("*** How to read this: lessons/00_getting_started/README.md#when-a-test-crashes\n\n");
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void install_crash_report(const char* program) {
  const std::string path = program != nullptr ? program : "";
  copy_text(g_program, path);
  // lessonNN_exercises or lessonNN_solutions: the sanitizer run of the same tests.
  const std::string name = path.substr(path.find_last_of('/') + 1);
  for (const char* kind : {"exercises", "solutions"}) {
    if (name.size() == 9 + std::strlen(kind) && name.rfind("lesson", 0) == 0 &&
        name.compare(9, std::string::npos, kind) == 0 && name[8] == '_') {
      copy_text(g_sanitize, "tools/sanitize.sh " + name.substr(6, 2) + " " + kind);
    }
  }
#ifdef BG_CRASH_UNDER_ASAN
  return;  // AddressSanitizer's own report names the bad access, with files and lines
#else
#ifdef BG_CRASH_ADDR2LINE
  const ssize_t n = readlink("/proc/self/exe", g_exe, kText - 1);
  g_exe[n > 0 ? n : 0] = '\0';
  dl_iterate_phdr(find_program, nullptr);
  void* warm[1];
  backtrace(warm, 1);  // the first call loads the unwinder, which a signal handler may not
#endif
  // The handler runs on a stack of its own, so a stack overflow can be reported too.
  static char alt_stack[1 << 16];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof(alt_stack);
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_crash;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

void set_crash_test_name(const std::string& name) { copy_text(g_test, name); }

const char* crash_test_name() { return g_test; }

CrashContext::CrashContext(const std::string& what) : previous_(g_context) {
  copy_text(g_context, previous_.empty() ? what : previous_ + " > " + what);
}

CrashContext::~CrashContext() { copy_text(g_context, previous_); }

}  // namespace bg::testing
