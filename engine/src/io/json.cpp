#include "bg/io/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <unordered_set>

#include "bg/error.h"
#include "bg/io/numbers.h"

namespace bg::json {

const char* type_name(Type type) {
  switch (type) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "a boolean";
    case Type::number:
      return "a number";
    case Type::string:
      return "a string";
    case Type::array:
      return "an array";
    case Type::object:
      return "an object";
  }
  return "?";
}

// ---------------------------------------------------------------- Value accessors

namespace {

[[noreturn]] void wrong_type(Type want, Type got) {
  throw Error(std::string("json: expected ") + type_name(want) + ", got " + type_name(got));
}

}  // namespace

bool Value::as_bool() const {
  if (!is_bool()) wrong_type(Type::boolean, type());
  return std::get<bool>(v_);
}
double Value::as_number() const {
  if (!is_number()) wrong_type(Type::number, type());
  return std::get<double>(v_);
}
const std::string& Value::as_string() const {
  if (!is_string()) wrong_type(Type::string, type());
  return std::get<std::string>(v_);
}
const Array& Value::as_array() const {
  if (!is_array()) wrong_type(Type::array, type());
  return std::get<Array>(v_);
}
const Object& Value::as_object() const {
  if (!is_object()) wrong_type(Type::object, type());
  return std::get<Object>(v_);
}
Array& Value::as_array() {
  if (!is_array()) wrong_type(Type::array, type());
  return std::get<Array>(v_);
}
Object& Value::as_object() {
  if (!is_object()) wrong_type(Type::object, type());
  return std::get<Object>(v_);
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : std::get<Object>(v_)) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Value& Value::at(std::string_view key) const {
  if (!is_object()) wrong_type(Type::object, type());
  const Value* v = find(key);
  if (v == nullptr) throw Error("json: missing key " + quote(key));
  return *v;
}

// ---------------------------------------------------------------- parser

namespace {

constexpr int kMaxDepth = 512;

// Recursive descent over the bytes of `text`; pos_ is the offset of the next byte.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Value parse_document() {
    skip_whitespace();
    Value v = parse_value(0);
    skip_whitespace();
    if (pos_ != text_.size()) fail("unexpected data after the JSON value");
    return v;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;

  [[noreturn]] void fail(const std::string& what) const { fail_at(what, pos_); }
  [[noreturn]] void fail_at(const std::string& what, size_t at) const {
    throw Error("json: " + what + " at byte " + std::to_string(at));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  // What the next byte is, for messages: "'x'", "byte 0x07" or "end of input".
  std::string describe_next() const {
    if (at_end()) return "end of input";
    const unsigned char c = peek();
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }

  Value parse_value(int depth) {
    if (at_end()) fail("unexpected end of input, expected a value");
    switch (peek()) {
      case '{':
        return parse_object(depth + 1);
      case '[':
        return parse_array(depth + 1);
      case '"':
        return Value(parse_string());
      case 't':
        expect_word("true");
        return Value(true);
      case 'f':
        expect_word("false");
        return Value(false);
      case 'n':
        expect_word("null");
        return Value(nullptr);
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return Value(parse_number());
        fail("expected a value, got " + describe_next());
    }
  }

  void expect_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      fail("invalid literal, expected '" + std::string(word) + "'");
    }
    pos_ += word.size();
  }

  void check_depth(int depth) const {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  Value parse_array(int depth) {
    check_depth(depth);
    ++pos_;  // '['
    Array items;
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return Value(std::move(items));
    }
    while (true) {
      skip_whitespace();
      items.push_back(parse_value(depth));
      skip_whitespace();
      if (!at_end() && peek() == ',') {
        ++pos_;
      } else if (!at_end() && peek() == ']') {
        ++pos_;
        return Value(std::move(items));
      } else {
        fail("expected ',' or ']', got " + describe_next());
      }
    }
  }

  Value parse_object(int depth) {
    check_depth(depth);
    ++pos_;  // '{'
    Object members;
    std::unordered_set<std::string> keys;
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++pos_;
      return Value(std::move(members));
    }
    while (true) {
      skip_whitespace();
      if (at_end() || peek() != '"') fail("expected a string key, got " + describe_next());
      const size_t key_at = pos_;
      std::string key = parse_string();
      if (!keys.insert(key).second) fail_at("duplicate key " + quote(key), key_at);
      skip_whitespace();
      if (at_end() || peek() != ':') fail("expected ':', got " + describe_next());
      ++pos_;
      skip_whitespace();
      Value v = parse_value(depth);
      members.emplace_back(std::move(key), std::move(v));
      skip_whitespace();
      if (!at_end() && peek() == ',') {
        ++pos_;
      } else if (!at_end() && peek() == '}') {
        ++pos_;
        return Value(std::move(members));
      } else {
        fail("expected ',' or '}', got " + describe_next());
      }
    }
  }

  // The JSON number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  double parse_number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (at_end() || !(peek() >= '0' && peek() <= '9')) fail("invalid number: expected a digit");
    if (peek() == '0') {
      ++pos_;
      if (!at_end() && peek() >= '0' && peek() <= '9') {
        fail_at("invalid number: leading zero", start);
      }
    } else {
      digits();
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("invalid number: expected a digit after '.'");
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (digits() == 0) fail("invalid number: expected a digit in the exponent");
    }
    double x = 0;
    switch (parse_decimal(text_.substr(start, pos_ - start), x)) {
      case NumberStatus::ok:
      case NumberStatus::underflow:  // a tiny number is simply 0
        break;
      case NumberStatus::overflow:
        fail_at("number out of range", start);
      case NumberStatus::invalid:
        fail_at("invalid number", start);
    }
    return x;
  }

  // Four hex digits of a \u escape.
  uint32_t parse_hex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = peek();
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        fail("invalid hex digit in \\u escape");
      }
      v = v * 16 + d;
      ++pos_;
    }
    return v;
  }

  // `cp` as UTF-8, in 1 to 4 bytes. Lesson 05's encode_utf8 (bg/text.h) does the same, but it
  // is an exercise: babygpt_mine links the learner's, a stub until they write it, and reading
  // JSON (the corpus, for prepare-data) must not depend on it.
  static void append_utf8(std::string& out, uint32_t cp) {
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

  // A \u escape (pos_ is just after the 'u'), with its low surrogate if it is a high one.
  uint32_t parse_unicode_escape(size_t escape_at) {
    const uint32_t first = parse_hex4();
    if (first >= 0xDC00 && first <= 0xDFFF) fail_at("lone low surrogate in \\u escape", escape_at);
    if (first < 0xD800 || first > 0xDBFF) return first;
    if (text_.substr(pos_, 2) != "\\u") {
      fail_at("high surrogate not followed by a \\u low surrogate", escape_at);
    }
    pos_ += 2;
    const uint32_t second = parse_hex4();
    if (second < 0xDC00 || second > 0xDFFF) {
      fail_at("high surrogate not followed by a low surrogate", escape_at);
    }
    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
  }

  // Copies one raw UTF-8 character (lead byte at pos_) after checking it is well formed:
  // no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences.
  void copy_utf8_char(std::string& out) {
    const size_t start = pos_;
    const unsigned char lead = peek();
    int extra;
    uint32_t cp;
    uint32_t min;
    if (lead < 0x80) {
      extra = 0, cp = lead, min = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1, cp = lead & 0x1F, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2, cp = lead & 0x0F, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3, cp = lead & 0x07, min = 0x10000;
    } else {
      fail("invalid UTF-8 byte in string");
    }
    for (int i = 1; i <= extra; ++i) {
      if (start + i >= text_.size()) fail_at("truncated UTF-8 sequence in string", start);
      const unsigned char c = static_cast<unsigned char>(text_[start + i]);
      if ((c & 0xC0) != 0x80) fail_at("invalid UTF-8 sequence in string", start);
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      fail_at("invalid UTF-8 sequence in string", start);
    }
    out.append(text_.substr(start, static_cast<size_t>(extra) + 1));
    pos_ = start + static_cast<size_t>(extra) + 1;
  }

  std::string parse_string() {
    const size_t open = pos_;
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (at_end()) fail_at("unterminated string", open);
      const unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("raw control character in string (must be escaped)");
      if (c != '\\') {
        copy_utf8_char(out);
        continue;
      }
      const size_t escape_at = pos_;
      ++pos_;
      if (at_end()) fail_at("unterminated string", open);
      const char e = static_cast<char>(peek());
      ++pos_;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          append_utf8(out, parse_unicode_escape(escape_at));
          break;
        default:
          fail_at("invalid escape in string", escape_at);
      }
    }
  }
};

// ---------------------------------------------------------------- writer

void dump_to(const Value& v, std::string& out) {
  switch (v.type()) {
    case Type::null:
      out += "null";
      return;
    case Type::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::number: {
      const double x = v.as_number();
      if (!std::isfinite(x)) throw Error("json: cannot write a non-finite number");
      char buf[32];
      if (x == std::trunc(x) && std::fabs(x) < 9007199254740992.0) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(x));
        out += buf;
      } else {
        const auto res = std::to_chars(buf, buf + sizeof buf, x);
        out.append(buf, res.ptr);
      }
      return;
    }
    case Type::string:
      out += quote(v.as_string());
      return;
    case Type::array: {
      out += '[';
      bool first = true;
      for (const Value& item : v.as_array()) {
        if (!first) out += ',';
        first = false;
        dump_to(item, out);
      }
      out += ']';
      return;
    }
    case Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_object()) {
        if (!first) out += ',';
        first = false;
        out += quote(key);
        out += ':';
        dump_to(item, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

Value parse(std::string_view text) { return Parser(text).parse_document(); }

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string dump(const Value& value) {
  std::string out;
  dump_to(value, out);
  return out;
}

}  // namespace bg::json
