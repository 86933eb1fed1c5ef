// The babygpt program as a library: its entry point, its table of commands and its help.
// engine/src/cli/main.cpp and main_mine.cpp only call bg::cli::run, so every part of the
// program can be tested without starting a process.
//
//   babygpt <command> [flags]        the commands: the table in engine/src/cli/program.cpp
//
// Flags are written "--name value" or "--name=value"; "--help" (or "-h") works on the program
// and on every command. Exit status: 0 success, 1 bad input (a missing file, invalid UTF-8, a
// mismatched checkpoint, a non-finite loss ...), 2 a usage error (an unknown or malformed
// flag, a missing required flag), 130 a training run stopped by Ctrl-C.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bg/cli/flags.h"
#include "bg/models.h"

namespace bg::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as a shell reports Ctrl-C

// How the program computes a model's losses and logits: `lesson` calls the model's own
// forward, the lessons' modules op by op (babygpt_mine, on the learner's code); `fast` runs
// the fast engine on the same model's parameters (bg/fast/fast_model.h; babygpt). The same
// seed gives the same bits either way. Generation with the KV cache (bg/kv_cache.h) and the
// attention pictures do not depend on it.
enum class Engine { lesson, fast };
// own_features or fast::features.
FeaturesFn features_of(Engine engine);

// Where a command writes: `out` for results, `err` for diagnostics and speed. `interactive`:
// `out` is a terminal, so training may redraw an in-place progress line.
struct Console {
  std::ostream& out;
  std::ostream& err;
  bool interactive = false;
};

// One row of the program's table of commands (engine/src/cli/program.cpp). The help texts
// and the dispatch of run() read the table. A new command is one file in
// engine/src/cli/commands/ (its flags, its parser, what it does, its main), its declarations
// in bg/cli/commands.h and one row.
struct Command {
  std::string name;     // what follows "babygpt": "train"
  std::string summary;  // one line, shown by `babygpt --help`
  // Its flags: what it accepts and what `babygpt <name> --help` lists, in order.
  const std::vector<Flag>& (*flags)();
  // Parses the arguments after the name (printing the command's help when they ask for it)
  // and runs the command with `engine`'s forward; returns the exit status. Throws UsageError
  // (exit 2) or bg::Error (exit 1), which run() prints.
  int (*main)(std::span<const std::string> args, Console& console, Engine engine);
};

// The table, in the order `babygpt --help` lists it.
std::span<const Command> commands();
// The row named `name`, or nullptr.
const Command* find_command(std::string_view name);

// The help text of the program ("") or of one command; bg::Error for an unknown command.
std::string usage(std::string_view command = "");

// Runs `babygpt args...` (args without the program name), writing to out and err, and returns
// the exit status. Never throws: errors are printed to err. `engine` is what train, eval,
// sample and bench (without --kernels) compute with: babygpt passes Engine::fast,
// babygpt_mine Engine::lesson (engine/src/cli/main.cpp, main_mine.cpp).
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err,
        bool interactive = false, Engine engine = Engine::lesson);

}  // namespace bg::cli
