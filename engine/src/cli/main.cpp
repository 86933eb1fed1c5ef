// The babygpt program: everything it does lives in bg/cli.h (engine/src/cli/*.cpp).
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "bg/cli.h"
#include "bg/fused.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
#ifdef BG_LEARNER_PROGRAM
  bg::set_fast_kernels(false);  // babygpt_mine: the learner's own modules, lesson by lesson
#else
  bg::set_fast_kernels(true);  // babygpt: the engine's coarse kernels (bg/fused.h)
#endif
  const std::vector<std::string> args(argv + 1, argv + argc);
  return bg::cli::run(args, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1);
}
