// How the babygpt program reads its arguments: the usage error (exit status 2), a command's
// flags and their parsing, the typed values of flags and the largest sizes the program accepts.
//
// Flags are written "--name value" or "--name=value"; "--help" (or "-h") stops the parsing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bg/error.h"

namespace bg::cli {

// A mistake in how the program was called (exit status 2). The message names the flag.
class UsageError : public Error {
 public:
  using Error::Error;
};

struct Flag {
  std::string name;        // without the dashes: "iters"
  std::string value_name;  // shown in the help: "N"; empty for a switch that takes no value
  std::string help;        // one line, defaults included
  bool repeatable = false;
};

struct ParsedFlags {
  bool help = false;  // --help or -h was given (parsing stopped there)
  // Every flag given, in order, with its value ("" for a switch).
  std::vector<std::pair<std::string, std::string>> values;
  bool has(std::string_view name) const;
  // The value of a flag that is given at most once, or nullptr.
  const std::string* get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
};

// Parses the arguments after the command name. Throws UsageError for an unknown flag, a
// positional argument, a flag without its value, a value given to a switch, or a
// non-repeatable flag given twice. `command` is only used in messages.
ParsedFlags parse_flags(std::string_view command, std::span<const std::string> args,
                        std::span<const Flag> flags);

// The value of `flag`, which `command` requires: UsageError "--flag VALUE_NAME is required"
// when it is missing, "--flag must not be empty" when it is empty.
std::string require(const ParsedFlags& parsed, std::string_view command, std::string_view flag,
                    std::string_view value_name);

// Typed values of flags; UsageError naming the flag when `text` is not a number of the kind
// or is outside [min, max].
int64_t parse_int(std::string_view flag, std::string_view text, int64_t min = INT64_MIN,
                  int64_t max = INT64_MAX);
uint64_t parse_seed(std::string_view flag, std::string_view text);
// A decimal number read straight into the float the program uses (bg/io/numbers.h), greater than
// 0 when `strictly_positive`. A number too large for a float, or one that is not zero but
// rounds to 0 or to a subnormal float, is refused: it would not survive as the value asked for.
float parse_number(std::string_view flag, std::string_view text, bool strictly_positive = false);

// A value in quotes for a message; a very long one is cut ("'1000000000…' (300 characters)").
std::string in_quotes(std::string_view text);

// The largest sizes the program accepts, from flags and from checkpoint metadata alike.
inline constexpr int64_t kMaxVocabSize = int64_t{1} << 24;
inline constexpr int64_t kMaxBlockSize = int64_t{1} << 16;
inline constexpr int64_t kMaxEmbed = int64_t{1} << 16;  // n_embed, and n_head with it
inline constexpr int64_t kMaxLayers = int64_t{1} << 10;
inline constexpr int64_t kMaxBatchSize = int64_t{1} << 20;
inline constexpr int64_t kMaxNewTokens = int64_t{1} << 24;  // --tokens, --sample-tokens

}  // namespace bg::cli
