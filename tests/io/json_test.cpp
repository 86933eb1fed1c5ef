// The engine's JSON reader and writer (bg/io/json.h): values, escapes, surrogate pairs,
// nesting, numbers, and every way a document can be malformed.
#include "bg/io/json.h"

#include <gtest/gtest.h>

#include <string>

#include "testing.h"

namespace bg::json {
namespace {

TEST(Json, ParsesScalars) {
  EXPECT_TRUE(parse("null").is_null());
  EXPECT_TRUE(parse(" true ").as_bool());
  EXPECT_FALSE(parse("\tfalse\r\n").as_bool());
  EXPECT_EQ(parse("\"hi\"").as_string(), "hi");
  EXPECT_EQ(parse("42").as_number(), 42.0);
}

TEST(Json, ParsesNumbers) {
  EXPECT_EQ(parse("0").as_number(), 0.0);
  EXPECT_EQ(parse("-0").as_number(), 0.0);
  EXPECT_EQ(parse("-12").as_number(), -12.0);
  EXPECT_EQ(parse("3.25").as_number(), 3.25);
  EXPECT_EQ(parse("1e3").as_number(), 1000.0);
  EXPECT_EQ(parse("1E+3").as_number(), 1000.0);
  EXPECT_EQ(parse("25e-2").as_number(), 0.25);
  EXPECT_EQ(parse("0.1").as_number(), 0.1);
  EXPECT_EQ(parse("1e-400").as_number(), 0.0);  // underflows to zero, like strtod
  EXPECT_EQ(parse("9007199254740993").as_number(), 9007199254740992.0);  // nearest double
}

TEST(Json, ParsesEscapes) {
  EXPECT_EQ(parse(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").as_string(), "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(parse(R"("\u0041\u00e9\u4E2D")").as_string(), "A\xC3\xA9\xE4\xB8\xAD");  // Aé中
  EXPECT_EQ(parse(R"("\u0000")").as_string(), std::string(1, '\0'));
}

TEST(Json, DecodesSurrogatePairs) {
  // U+1F600 (grinning face) = D83D DE00; U+20000 (CJK Ext. B) = D840 DC00.
  EXPECT_EQ(parse(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(parse(R"("x\uD840\uDC00y")").as_string(), "x\xF0\xA0\x80\x80y");
}

TEST(Json, KeepsRawUtf8) {
  EXPECT_EQ(parse("\"春江花月夜\"").as_string(), "春江花月夜");
  EXPECT_EQ(parse("\"\xF0\x9F\x98\x80\"").as_string(), "\xF0\x9F\x98\x80");
}

TEST(Json, ParsesNestingAndKeepsKeyOrder) {
  const Value v = parse(R"({"z": [1, [2, {"a": null}]], "a": {"b": {}}, "m": []})");
  const Object& o = v.as_object();
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].first, "z");
  EXPECT_EQ(o[1].first, "a");
  EXPECT_EQ(o[2].first, "m");
  const Array& z = v.at("z").as_array();
  ASSERT_EQ(z.size(), 2u);
  EXPECT_EQ(z[0].as_number(), 1.0);
  EXPECT_TRUE(z[1].as_array()[1].at("a").is_null());
  EXPECT_TRUE(v.at("a").at("b").as_object().empty());
  EXPECT_TRUE(v.at("m").as_array().empty());
  EXPECT_EQ(v.find("nope"), nullptr);
}

TEST(Json, AccessorErrorsNameTheTypes) {
  EXPECT_BG_ERROR(parse("1").as_string(), "expected a string", "got a number");
  EXPECT_BG_ERROR(parse("{}").at("k"), "missing key \"k\"");
  EXPECT_BG_ERROR(parse("[]").as_object(), "expected an object", "got an array");
}

TEST(Json, RejectsTruncatedInput) {
  EXPECT_BG_ERROR(parse(""), "unexpected end of input", "at byte 0");
  EXPECT_BG_ERROR(parse("   "), "unexpected end of input", "at byte 3");
  EXPECT_BG_ERROR(parse("[1, 2"), "expected ',' or ']'", "end of input", "at byte 5");
  EXPECT_BG_ERROR(parse(R"({"a": 1)"), "expected ',' or '}'", "at byte 7");
  EXPECT_BG_ERROR(parse(R"({"a")"), "expected ':'", "at byte 4");
  EXPECT_BG_ERROR(parse(R"("abc)"), "unterminated string", "at byte 0");
  EXPECT_BG_ERROR(parse(R"("ab\)"), "unterminated string");
  EXPECT_BG_ERROR(parse(R"("\u12")"), "\\u escape");
  EXPECT_BG_ERROR(parse("tru"), "invalid literal", "at byte 0");
}

TEST(Json, RejectsTrailingGarbage) {
  EXPECT_BG_ERROR(parse("1 2"), "unexpected data after the JSON value", "at byte 2");
  EXPECT_BG_ERROR(parse("{} x"), "unexpected data", "at byte 3");
  EXPECT_BG_ERROR(parse("nullx"), "unexpected data", "at byte 4");
}

TEST(Json, RejectsStructuralErrors) {
  EXPECT_BG_ERROR(parse("[1,]"), "expected a value", "']'", "at byte 3");
  EXPECT_BG_ERROR(parse(R"({"a":1,})"), "expected a string key", "at byte 7");
  EXPECT_BG_ERROR(parse("{1: 2}"), "expected a string key", "at byte 1");
  EXPECT_BG_ERROR(parse("[1 2]"), "expected ',' or ']'", "'2'", "at byte 3");
  EXPECT_BG_ERROR(parse("// c\n1"), "expected a value", "at byte 0");
  EXPECT_BG_ERROR(parse("'a'"), "expected a value");
}

TEST(Json, RejectsBadEscapes) {
  EXPECT_BG_ERROR(parse(R"("a\x")"), "invalid escape", "at byte 2");
  EXPECT_BG_ERROR(parse(R"("\u12G4")"), "invalid hex digit", "at byte 5");
}

TEST(Json, RejectsLoneSurrogates) {
  EXPECT_BG_ERROR(parse(R"("\ud83d")"), "high surrogate not followed", "at byte 1");
  EXPECT_BG_ERROR(parse(R"("\ud83dx")"), "high surrogate not followed");
  EXPECT_BG_ERROR(parse(R"("\ud83d\u0041")"), "not followed by a low surrogate");
  EXPECT_BG_ERROR(parse(R"("ab\ude00")"), "lone low surrogate", "at byte 3");
}

TEST(Json, RejectsRawControlCharacters) {
  EXPECT_BG_ERROR(parse("\"a\nb\""), "raw control character", "at byte 2");
  EXPECT_BG_ERROR(parse(std::string("\"\0\"", 3)), "raw control character", "at byte 1");
}

TEST(Json, RejectsInvalidUtf8InStrings) {
  EXPECT_BG_ERROR(parse("\"a\xFF\""), "invalid UTF-8", "at byte 2");
  EXPECT_BG_ERROR(parse("\"\xC0\xAF\""), "invalid UTF-8", "at byte 1");      // overlong '/'
  EXPECT_BG_ERROR(parse("\"\xED\xA0\x80\""), "invalid UTF-8", "at byte 1");  // surrogate
  EXPECT_BG_ERROR(parse("\"\xE4\xB8"), "truncated UTF-8", "at byte 1");
}

TEST(Json, RejectsBadNumbers) {
  EXPECT_BG_ERROR(parse("01"), "leading zero", "at byte 0");
  EXPECT_BG_ERROR(parse("-"), "expected a digit", "at byte 1");
  EXPECT_BG_ERROR(parse("1."), "after '.'", "at byte 2");
  EXPECT_BG_ERROR(parse("1e"), "exponent", "at byte 2");
  EXPECT_BG_ERROR(parse("+1"), "expected a value");
  EXPECT_BG_ERROR(parse(".5"), "expected a value");
  EXPECT_BG_ERROR(parse("1e400"), "number out of range", "at byte 0");
  EXPECT_BG_ERROR(parse("NaN"), "expected a value");
}

TEST(Json, RejectsDuplicateKeys) {
  EXPECT_BG_ERROR(parse(R"({"a": 1, "a": 2})"), "duplicate key \"a\"", "at byte 9");
}

TEST(Json, RejectsTooDeepNesting) {
  EXPECT_NO_THROW(parse(std::string(500, '[') + std::string(500, ']')));
  EXPECT_BG_ERROR(parse(std::string(100000, '[')), "nesting deeper than 512");
}

TEST(Json, QuoteEscapes) {
  EXPECT_EQ(quote("plain"), "\"plain\"");
  EXPECT_EQ(quote("a\"b\\c\n\t\r\b\f"), R"("a\"b\\c\n\t\r\b\f")");
  EXPECT_EQ(quote(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(quote("春/江"), "\"春/江\"");
}

TEST(Json, DumpIsCompactAndRoundTrips) {
  Object o;
  o.emplace_back("name", "李白");
  o.emplace_back("shape", Array{Value(2), Value(3)});
  o.emplace_back("x", 0.5);
  o.emplace_back("big", 1e300);
  o.emplace_back("flags", Array{Value(true), Value(false), Value(nullptr)});
  const Value v(o);
  const std::string text = dump(v);
  EXPECT_EQ(text,
            R"({"name":"李白","shape":[2,3],"x":0.5,"big":1e+300,"flags":[true,false,null]})");
  EXPECT_EQ(dump(parse(text)), text);
  EXPECT_EQ(dump(Value(-7)), "-7");
  EXPECT_EQ(dump(Value(0.1)), "0.1");
  EXPECT_BG_ERROR(dump(Value(1.0 / 0.0)), "non-finite");
}

TEST(Json, DumpEscapesStringsThatParseBack) {
  const std::string nasty = std::string("q\"\\\n\x01 \xE4\xB8\xAD", 9);
  EXPECT_EQ(parse(dump(Value(nasty))).as_string(), nasty);
}

}  // namespace
}  // namespace bg::json
