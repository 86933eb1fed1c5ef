// libFuzzer target: the babygpt argument parsers (bg/cli/commands.h) on any argument lists.
// The first byte picks the command; the rest, split at '\n', are the arguments. Property: a
// parser returns options or throws bg::Error (UsageError) — nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bg/cli/commands.h"
#include "bg/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 1; i < size; ++i) {
    if (data[i] == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);
  try {
    switch (data[0] % 6) {
      case 0:
        (void)bg::cli::parse_train_args(args);
        break;
      case 1:
        (void)bg::cli::parse_sample_args(args);
        break;
      case 2:
        (void)bg::cli::parse_eval_args(args);
        break;
      case 3:
        (void)bg::cli::parse_attention_args(args);
        break;
      case 4:
        (void)bg::cli::parse_bench_args(args);
        break;
      default:
        (void)bg::cli::parse_prepare_data_args(args);
        break;
    }
  } catch (const bg::Error&) {
  }
  return 0;
}
