// Text for the language model: UTF-8 decoding/encoding and the character tokenizer.
//
// Lesson 05, exercise 1: decode_utf8 and encode_utf8.
// Lesson 05, exercise 2: CharTokenizer.
//
// UTF-8 writes a code point in 1 to 4 bytes:
//   U+0000..U+007F     0xxxxxxx
//   U+0080..U+07FF     110xxxxx 10xxxxxx
//   U+0800..U+FFFF     1110xxxx 10xxxxxx 10xxxxxx
//   U+10000..U+10FFFF  11110xxx 10xxxxxx 10xxxxxx 10xxxxxx
// Strict decoding accepts exactly these forms: a code point must use its shortest form (no
// "overlong" encodings such as C0 AF for '/'), surrogates U+D800..U+DFFF are not characters,
// nothing above U+10FFFF exists, and every sequence must be complete.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bg {

// ---- Lesson 05, exercise 1 ----------------------------------------------------------------
// The code points of UTF-8 `bytes`. Throws bg::Error "invalid UTF-8 at byte N: <why>" where N
// is the offset (from 0) of the first byte of the bad sequence (of the stray byte itself for
// a continuation byte that follows no lead byte, or a byte that never occurs in UTF-8).
// The reasons: "unexpected continuation byte 0x80", "invalid byte 0xFF", "overlong
// encoding", "encoded surrogate U+D800", "code point above U+10FFFF", "truncated sequence".
std::u32string decode_utf8(std::string_view bytes);

// The UTF-8 bytes of `text`. Throws bg::Error naming the index and the value of a code point
// that is a surrogate or above U+10FFFF.
std::string encode_utf8(std::u32string_view text);

// ---- Lesson 05, exercise 2 ----------------------------------------------------------------
// A character-level tokenizer, as the PyTorch course makes it: the vocabulary is the set of
// distinct code points of the training text sorted by value (Python's sorted(set(text))),
// and a character's token id is its position in that list.
class CharTokenizer {
 public:
  CharTokenizer() = default;  // an empty vocabulary
  // The vocabulary of `text` (UTF-8; invalid UTF-8 is a bg::Error).
  explicit CharTokenizer(std::string_view text);
  // A tokenizer from a saved vocabulary string (vocab_string() of another tokenizer). Throws
  // bg::Error when it is not strictly increasing (a repeat, or out of order), naming the
  // character and its position.
  static CharTokenizer from_vocab(std::string_view vocab);

  // The token ids of UTF-8 `text`. Throws bg::Error listing every distinct character not in
  // the vocabulary, in order of appearance:
  //   "characters not in the vocabulary: 'X' (U+0058), '€' (U+20AC)"
  std::vector<int32_t> encode(std::string_view text) const;
  // The UTF-8 text of token ids. Throws bg::Error naming an id outside [0, vocab_size()).
  std::string decode(std::span<const int32_t> ids) const;

  int32_t vocab_size() const;
  // Every character of the vocabulary in id order, as UTF-8: what checkpoints store.
  std::string vocab_string() const;

 private:
  std::u32string chars_;  // the vocabulary, strictly increasing; id = index
};

}  // namespace bg
