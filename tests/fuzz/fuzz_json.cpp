// libFuzzer target: the JSON reader (bg/io/json.h) on any bytes.
// Properties: parse either returns a value or throws bg::Error (never crashes, hangs or
// throws anything else); a value it returns dumps to text that parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bg/error.h"
#include "bg/io/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bg::json::Value value;
  try {
    value = bg::json::parse(text);
  } catch (const bg::Error&) {
    return 0;
  }
  const std::string once = bg::json::dump(value);
  const std::string twice = bg::json::dump(bg::json::parse(once));
  if (once != twice) std::abort();  // dump(parse(dump(v))) must be dump(v)
  return 0;
}
