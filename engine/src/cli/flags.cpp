// How the babygpt program reads its arguments (bg/cli/flags.h).
#include "bg/cli/flags.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "bg/io/numbers.h"

namespace bg::cli {

namespace {

std::string see_help(std::string_view command) {
  return " (see 'babygpt " + std::string(command) + " --help')";
}

}  // namespace

std::string in_quotes(std::string_view s) {
  constexpr size_t kShown = 24;
  // Appended piece by piece: g++ 12 warns (-Wrestrict, wrongly) about "'" + std::string(s).
  std::string quoted = "'";
  if (s.size() <= kShown + 8) {
    quoted += s;
    quoted += "'";
    return quoted;
  }
  quoted += s.substr(0, kShown);
  quoted += "…' (";
  quoted += std::to_string(s.size());
  quoted += " characters)";
  return quoted;
}

// ---- ParsedFlags ----

bool ParsedFlags::has(std::string_view name) const {
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
}

const std::string* ParsedFlags::get(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [n, v] : values) {
    if (n == name) found = &v;
  }
  return found;
}

std::vector<std::string> ParsedFlags::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : values) {
    if (n == name) out.push_back(v);
  }
  return out;
}

ParsedFlags parse_flags(std::string_view command, std::span<const std::string> args,
                        std::span<const Flag> flags) {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      return parsed;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      throw UsageError("unexpected argument " + in_quotes(arg) +
                       " (flags are written --name value)" + see_help(command));
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    auto flag =
        std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags.end()) {
      throw UsageError("unknown flag --" + name + see_help(command));
    }
    std::string value;
    if (flag->value_name.empty()) {
      if (eq != std::string::npos) throw UsageError("flag --" + name + " takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      // "--tokens" at the end, or followed by another flag, lacks its value. A value that
      // merely starts with a dash ("-1") is still a value.
      if (i + 1 >= args.size() || args[i + 1].compare(0, 2, "--") == 0) {
        throw UsageError("flag --" + name + " needs a value: --" + name + " " + flag->value_name);
      }
      value = args[++i];
    }
    if (!flag->repeatable && parsed.has(name)) {
      throw UsageError("flag --" + name + " is given twice");
    }
    parsed.values.emplace_back(name, std::move(value));
  }
  return parsed;
}

std::string require(const ParsedFlags& p, std::string_view command, std::string_view flag,
                    std::string_view value_name) {
  const std::string* v = p.get(flag);
  if (v == nullptr) {
    throw UsageError("--" + std::string(flag) + " " + std::string(value_name) + " is required" +
                     see_help(command));
  }
  if (v->empty()) throw UsageError("--" + std::string(flag) + " must not be empty");
  return *v;
}

// ---- typed values ----

int64_t parse_int(std::string_view flag, std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    throw UsageError("--" + std::string(flag) + " expects an integer, got " + in_quotes(text));
  }
  const std::string name = "--" + std::string(flag);
  if (ec == std::errc::result_out_of_range) {
    throw UsageError(name + " is out of range, got " + in_quotes(text));
  }
  if (v < min) {
    throw UsageError(name + " must be at least " + std::to_string(min) + ", got " +
                     in_quotes(text));
  }
  if (v > max) {
    throw UsageError(name + " must be at most " + std::to_string(max) + ", got " + in_quotes(text));
  }
  return v;
}

uint64_t parse_seed(std::string_view flag, std::string_view text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw UsageError("--" + std::string(flag) + " expects a non-negative integer below 2^64, got " +
                     in_quotes(text));
  }
  return v;
}

float parse_number(std::string_view flag, std::string_view text, bool strictly_positive) {
  const std::string name = "--" + std::string(flag);
  float v = 0.0f;
  const NumberStatus status = parse_decimal(text, v);
  if (status == NumberStatus::invalid) {
    throw UsageError(name + " expects a number, got " + in_quotes(text));
  }
  if (status == NumberStatus::overflow) {
    throw UsageError(name + " is too large for a float (at most " +
                     shortest_text(std::numeric_limits<float>::max()) + "), got " +
                     in_quotes(text));
  }
  if (status == NumberStatus::underflow || (v != 0.0f && std::fpclassify(v) == FP_SUBNORMAL)) {
    throw UsageError(name + " is too small for a float (the smallest is " +
                     shortest_text(std::numeric_limits<float>::min()) + "), got " +
                     in_quotes(text));
  }
  if (strictly_positive && !(v > 0.0f)) {
    throw UsageError(name + " must be greater than 0, got " + in_quotes(text));
  }
  return v;
}

}  // namespace bg::cli
