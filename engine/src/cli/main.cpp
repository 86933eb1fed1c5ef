// The babygpt program: everything it does is bg::cli::run (bg/cli/program.h, engine/src/cli/).
// It runs the course's solutions and computes with the fast engine (bg/fast/fast_model.h).
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "bg/cli/program.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return bg::cli::run(args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1,
                      bg::cli::Engine::fast);
}
