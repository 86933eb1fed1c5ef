// libFuzzer target: the .safetensors reader and the babygpt checkpoint loader on any bytes.
// Properties: each returns or throws bg::Error — no crash, no undefined behaviour, no
// allocation much larger than the input (libFuzzer's -rss_limit_mb and -malloc_limit_mb
// catch those).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bg/cli/checkpoint.h"
#include "bg/error.h"
#include "bg/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const bg::SafetensorsFile file = bg::parse_safetensors(bytes, "fuzz.safetensors");
    (void)bg::cli::checkpoint_from(file, "fuzz.safetensors");
  } catch (const bg::Error&) {
  }
  return 0;
}
