// A small, strict JSON reader and writer (RFC 8259), enough for the corpus files and the
// headers of .safetensors checkpoints.
//
// Reading is strict: exactly one value, surrounded by optional whitespace; no comments,
// no trailing commas, no NaN/Infinity, no leading zeros or "+" in numbers, no raw control
// characters in strings, only valid UTF-8; \uXXXX escapes must pair surrogates correctly
// (a lone surrogate is an error). Duplicate keys in one object are an error too: the
// standard leaves their meaning open, and a checkpoint header with two entries of the same
// name is better refused than silently read one way. Nesting deeper than 512 levels is an
// error (the parser is recursive and must not overflow the stack).
//
// Every error is a bg::Error "json: <what> at byte <offset>" (offset counted from 0).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bg::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;  // members in the order they were written

enum class Type { null, boolean, number, string, array, object };

// The name of a type for messages: "null", "boolean", "number", ...
const char* type_name(Type type);

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(double x) : v_(x) {}
  Value(int x) : v_(static_cast<double>(x)) {}
  Value(long x) : v_(static_cast<double>(x)) {}
  Value(long long x) : v_(static_cast<double>(x)) {}
  Value(unsigned long x) : v_(static_cast<double>(x)) {}
  Value(unsigned long long x) : v_(static_cast<double>(x)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::null; }
  bool is_bool() const { return type() == Type::boolean; }
  bool is_number() const { return type() == Type::number; }
  bool is_string() const { return type() == Type::string; }
  bool is_array() const { return type() == Type::array; }
  bool is_object() const { return type() == Type::object; }

  // The content; each throws bg::Error "json: expected a string, got a number" when the
  // value has another type.
  bool as_bool() const;
  double as_number() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;
  Array& as_array();
  Object& as_object();

  // Object lookup: the member's value, or nullptr when there is none (or this is not an
  // object). at() throws bg::Error naming the missing key instead.
  const Value* find(std::string_view key) const;
  const Value& at(std::string_view key) const;

 private:
  // The order of the alternatives is the order of enum Type.
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> v_ = nullptr;
};

// Parses one JSON text. Throws bg::Error "json: ... at byte N" on malformed input.
Value parse(std::string_view text);

// `s` as a JSON string literal, quotes included: " \ and control characters are escaped
// (\n \t \r \b \f, others as \u00XX); everything else, non-ASCII UTF-8 included, is copied
// as it is (like Python's json.dumps(..., ensure_ascii=False)).
std::string quote(std::string_view s);

// Compact JSON text for a value (no spaces). Numbers that are whole and below 2^53 in
// magnitude are written as integers ("12", not "12.0"); others in the shortest form that
// reads back to the same double. NaN and infinities are not JSON: bg::Error.
std::string dump(const Value& value);

}  // namespace bg::json
