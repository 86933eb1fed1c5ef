// Lesson 05: text. Read lessons/05_language_model/README.md, then replace each stub's body.
#include "bg/text.h"
#include "bg/error.h"

namespace bg {

// ---- Exercise 1: UTF-8 --------------------------------------------------------------------

std::u32string decode_utf8([[maybe_unused]] std::string_view bytes) {
  bg::not_implemented(5, 1, "decode_utf8");
}

std::string encode_utf8([[maybe_unused]] std::u32string_view text) {
  bg::not_implemented(5, 1, "encode_utf8");
}

// ---- Exercise 2: the character tokenizer --------------------------------------------------

CharTokenizer::CharTokenizer([[maybe_unused]] std::string_view text) {
  bg::not_implemented(5, 2, "CharTokenizer::CharTokenizer");
}

CharTokenizer CharTokenizer::from_vocab([[maybe_unused]] std::string_view vocab) {
  bg::not_implemented(5, 2, "CharTokenizer::from_vocab");
}

std::vector<int32_t> CharTokenizer::encode([[maybe_unused]] std::string_view text) const {
  bg::not_implemented(5, 2, "CharTokenizer::encode");
}

std::string CharTokenizer::decode([[maybe_unused]] std::span<const int32_t> ids) const {
  bg::not_implemented(5, 2, "CharTokenizer::decode");
}

int32_t CharTokenizer::vocab_size() const {
  bg::not_implemented(5, 2, "CharTokenizer::vocab_size");
}

std::string CharTokenizer::vocab_string() const {
  bg::not_implemented(5, 2, "CharTokenizer::vocab_string");
}

}  // namespace bg
