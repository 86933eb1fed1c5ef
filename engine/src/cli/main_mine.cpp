// The babygpt_mine program: babygpt on the learner's code (CMakeLists.txt, BG_MINE_THROUGH).
// It computes with the models' own forward, the modules the learner writes lesson by lesson,
// never with the fast engine.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "bg/cli/program.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return bg::cli::run(args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1,
                      bg::cli::Engine::lesson);
}
