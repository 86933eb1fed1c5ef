// libFuzzer target: UTF-8 decoding and the character tokenizer (bg/text.h) on any bytes.
// Properties: decode_utf8 returns code points or throws bg::Error; what it accepts encodes
// back to the same bytes; a tokenizer built from valid text encodes and decodes it unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bg/error.h"
#include "bg/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::u32string text;
  try {
    text = bg::decode_utf8(bytes);
  } catch (const bg::Error&) {
    return 0;
  }
  if (bg::encode_utf8(text) != bytes) std::abort();
  if (text.empty()) return 0;
  const bg::CharTokenizer tok(bytes);
  if (tok.decode(tok.encode(bytes)) != bytes) std::abort();
  if (bg::CharTokenizer::from_vocab(tok.vocab_string()).vocab_string() != tok.vocab_string()) {
    std::abort();
  }
  return 0;
}
