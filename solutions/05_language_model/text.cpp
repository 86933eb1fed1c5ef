// Lesson 05: text — solutions.
#include <algorithm>
#include <cstdio>

#include "bg/error.h"
#include "bg/text.h"

namespace bg {

namespace {

// "U+4E2D"
std::string code_point_str(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

std::string byte_str(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

[[noreturn]] void bad_utf8(size_t at, const std::string& why) {
  throw Error("invalid UTF-8 at byte " + std::to_string(at) + ": " + why);
}

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the sequence starting at bytes[i] (which is not a continuation byte), checks it,
// and advances i past it.
char32_t decode_one(std::string_view bytes, size_t& i) {
  const size_t start = i;
  const auto lead = static_cast<unsigned char>(bytes[i]);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  if (is_continuation(lead)) bad_utf8(start, "unexpected continuation byte " + byte_str(lead));
  // The lead byte tells the length; its low bits are the top bits of the code point.
  size_t extra;
  char32_t cp;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, cp = lead & 0x07;
  } else {
    bad_utf8(start, "invalid byte " + byte_str(lead));  // 0xF8..0xFF never occur
  }
  for (size_t k = 1; k <= extra; ++k) {
    if (start + k >= bytes.size()) {
      bad_utf8(start, std::to_string(extra + 1) + "-byte sequence truncated by the end of input");
    }
    const auto b = static_cast<unsigned char>(bytes[start + k]);
    if (!is_continuation(b)) {
      bad_utf8(start, std::to_string(extra + 1) + "-byte sequence truncated (byte " +
                          std::to_string(start + k) + " is " + byte_str(b) +
                          ", not a continuation byte)");
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[extra]) bad_utf8(start, "overlong encoding of " + code_point_str(cp));
  if (cp >= 0xD800 && cp <= 0xDFFF) bad_utf8(start, "encoded surrogate " + code_point_str(cp));
  if (cp > 0x10FFFF) bad_utf8(start, "code point above U+10FFFF");
  i = start + extra + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// "'X' (U+0058)"; control characters only by their code ("U+000A").
std::string describe_char(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return code_point_str(cp);
  std::string s = "'";
  append_utf8(s, cp);
  return s + "' (" + code_point_str(cp) + ")";
}

}  // namespace

// ---- Exercise 1 ---------------------------------------------------------------------------

std::u32string decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) out += decode_one(bytes, i);
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t cp = text[i];
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      throw Error("encode_utf8: invalid code point " + code_point_str(cp) + " at index " +
                  std::to_string(i) + (cp > 0x10FFFF ? " (above U+10FFFF)" : " (a surrogate)"));
    }
    append_utf8(out, cp);
  }
  return out;
}

// ---- Exercise 2 ---------------------------------------------------------------------------

CharTokenizer::CharTokenizer(std::string_view text) : chars_(decode_utf8(text)) {
  std::sort(chars_.begin(), chars_.end());
  chars_.erase(std::unique(chars_.begin(), chars_.end()), chars_.end());
}

CharTokenizer CharTokenizer::from_vocab(std::string_view vocab) {
  CharTokenizer tok;
  tok.chars_ = decode_utf8(vocab);
  for (size_t i = 1; i < tok.chars_.size(); ++i) {
    if (tok.chars_[i] <= tok.chars_[i - 1]) {
      throw Error("vocabulary must be sorted by code point without repeats: " +
                  describe_char(tok.chars_[i]) + " at position " + std::to_string(i) +
                  (tok.chars_[i] == tok.chars_[i - 1]
                       ? " repeats the one before it"
                       : " comes after " + describe_char(tok.chars_[i - 1])));
    }
  }
  return tok;
}

std::vector<int32_t> CharTokenizer::encode(std::string_view text) const {
  const std::u32string cps = decode_utf8(text);
  std::vector<int32_t> ids;
  ids.reserve(cps.size());
  std::u32string missing;  // distinct unknown characters, in order of appearance
  for (const char32_t cp : cps) {
    const auto it = std::lower_bound(chars_.begin(), chars_.end(), cp);  // binary search
    if (it != chars_.end() && *it == cp) {
      ids.push_back(static_cast<int32_t>(it - chars_.begin()));
    } else if (missing.find(cp) == std::u32string::npos) {
      missing += cp;
    }
  }
  if (!missing.empty()) {
    std::string msg = "characters not in the vocabulary: ";
    for (size_t i = 0; i < missing.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += describe_char(missing[i]);
    }
    throw Error(msg);
  }
  return ids;
}

std::string CharTokenizer::decode(std::span<const int32_t> ids) const {
  std::string out;
  out.reserve(ids.size() * 3);
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab_size()) {
      throw Error("token id " + std::to_string(id) + " at position " + std::to_string(i) +
                  " is outside the vocabulary [0, " + std::to_string(vocab_size()) + ")");
    }
    append_utf8(out, chars_[static_cast<size_t>(id)]);
  }
  return out;
}

int32_t CharTokenizer::vocab_size() const { return static_cast<int32_t>(chars_.size()); }

std::string CharTokenizer::vocab_string() const { return encode_utf8(chars_); }

}  // namespace bg
