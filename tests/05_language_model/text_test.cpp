// Lesson 05, exercises 1 and 2: UTF-8 and the character tokenizer (bg/text.h).
//   exercise 1: ctest --test-dir build -R '^exercises\.lesson05\.Utf8\.' --output-on-failure
//   exercise 2: ctest --test-dir build -R '^exercises\.lesson05\.CharTokenizer\.'
#include "bg/text.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "testing.h"

namespace bg {
namespace {

// ---- Exercise 1: decode_utf8 / encode_utf8 ----------------------------------------------

TEST(Utf8, DecodesAscii) {
  EXPECT_EQ(decode_utf8("Hello, world\n"), U"Hello, world\n");
  EXPECT_EQ(decode_utf8(""), U"");
  EXPECT_EQ(decode_utf8(std::string("a\0b", 3)), std::u32string(U"a\0b", 3));
}

TEST(Utf8, DecodesTwoThreeAndFourByteCharacters) {
  EXPECT_EQ(decode_utf8("\xC3\xA9"), U"\u00E9");                        // é: 2 bytes
  EXPECT_EQ(decode_utf8("\xC2\x80\xDF\xBF"), U"\u0080\u07FF");          // 2-byte range ends
  EXPECT_EQ(decode_utf8("\xE6\x98\xA5\xE6\xB1\x9F"), U"\u6625\u6C5F");  // 春江: 3 bytes
  EXPECT_EQ(decode_utf8("\xE0\xA0\x80\xEF\xBF\xBF"), U"\u0800\uFFFF");  // 3-byte range ends
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80"), U"\U0001F600");            // 😀: 4 bytes
  EXPECT_EQ(decode_utf8("\xF4\x8F\xBF\xBF"), U"\U0010FFFF");            // the last code point
  EXPECT_EQ(decode_utf8("a\xC3\xA9\xE6\x98\xA5\xF0\x9F\x98\x80z"), U"a\u00E9\u6625\U0001F600z");
}

TEST(Utf8, RejectsStrayContinuationBytes) {
  EXPECT_BG_ERROR(decode_utf8("ab\x80"), "invalid UTF-8 at byte 2", "continuation", "0x80");
  EXPECT_BG_ERROR(decode_utf8("\xC3\xA9\xA9"), "invalid UTF-8 at byte 2", "continuation");
}

TEST(Utf8, RejectsBytesThatNeverOccur) {
  EXPECT_BG_ERROR(decode_utf8("x\xFF"), "invalid UTF-8 at byte 1", "0xFF");
  EXPECT_BG_ERROR(decode_utf8("\xF8\x88\x80\x80\x80"), "invalid UTF-8 at byte 0", "0xF8");
}

TEST(Utf8, RejectsOverlongEncodings) {
  EXPECT_BG_ERROR(decode_utf8("\xC0\xAF"), "invalid UTF-8 at byte 0", "overlong");  // '/'
  EXPECT_BG_ERROR(decode_utf8("ab\xC1\xBF"), "invalid UTF-8 at byte 2", "overlong");
  EXPECT_BG_ERROR(decode_utf8("\xE0\x9F\xBF"), "invalid UTF-8 at byte 0", "overlong");
  EXPECT_BG_ERROR(decode_utf8("\xF0\x8F\xBF\xBF"), "invalid UTF-8 at byte 0", "overlong");
}

TEST(Utf8, RejectsSurrogates) {
  EXPECT_BG_ERROR(decode_utf8("ok\xED\xA0\x80"), "invalid UTF-8 at byte 2", "surrogate", "U+D800");
  EXPECT_BG_ERROR(decode_utf8("\xED\xBF\xBF"), "invalid UTF-8 at byte 0", "U+DFFF");
}

TEST(Utf8, RejectsCodePointsAboveTheLast) {
  EXPECT_BG_ERROR(decode_utf8("\xF4\x90\x80\x80"), "invalid UTF-8 at byte 0", "above U+10FFFF");
}

TEST(Utf8, RejectsTruncatedSequences) {
  EXPECT_BG_ERROR(decode_utf8("abc\xE6\x98"), "invalid UTF-8 at byte 3", "truncated");
  EXPECT_BG_ERROR(decode_utf8("\xF0\x9F\x98"), "invalid UTF-8 at byte 0", "truncated");
  EXPECT_BG_ERROR(decode_utf8("\xC3"), "invalid UTF-8 at byte 0", "truncated");
  // A lead byte followed by something that is not a continuation byte.
  EXPECT_BG_ERROR(decode_utf8("\xE6\x98x"), "invalid UTF-8 at byte 0", "truncated", "byte 2");
}

TEST(Utf8, TruncatedAtTheEndOfAViewThatGoesOn) {
  // A string_view need not end in NUL: the bytes after its end may well be continuation
  // bytes. "abc春" cut after 4 or 5 bytes is truncated, whatever follows in memory.
  const std::string buf = "abc\xE6\x98\xA5";
  EXPECT_BG_ERROR(decode_utf8(std::string_view(buf).substr(0, 5)), "invalid UTF-8 at byte 3",
                  "truncated");
  EXPECT_BG_ERROR(decode_utf8(std::string_view(buf).substr(0, 4)), "invalid UTF-8 at byte 3",
                  "truncated");
  EXPECT_EQ(decode_utf8(std::string_view(buf).substr(0, 3)), U"abc");
  // A heap block of exactly two bytes (AddressSanitizer reports a read past it).
  const auto two = std::make_unique<char[]>(2);
  two[0] = '\xC3';
  two[1] = '\xA9';
  EXPECT_EQ(decode_utf8(std::string_view(two.get(), 2)), U"\u00E9");
  EXPECT_BG_ERROR(decode_utf8(std::string_view(two.get(), 1)), "invalid UTF-8 at byte 0",
                  "truncated");
}

TEST(Utf8, ReportsTheFirstErrorOnly) {
  EXPECT_BG_ERROR(decode_utf8("\xE6\x98\xA5\xE6\xB1\x9F!\xFF\x80"), "invalid UTF-8 at byte 7");
}

TEST(Utf8, EncodesEveryLength) {
  EXPECT_EQ(encode_utf8(U"A"), "A");
  EXPECT_EQ(encode_utf8(U"\u00E9"), "\xC3\xA9");
  EXPECT_EQ(encode_utf8(U"\u6625"), "\xE6\x98\xA5");
  EXPECT_EQ(encode_utf8(U"\U0001F600"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(encode_utf8(U""), "");
}

TEST(Utf8, EncodesTheEndsOfEveryLength) {
  // The last code point of each length and the first of the next.
  EXPECT_EQ(encode_utf8(U"\u007F"), "\x7F");
  EXPECT_EQ(encode_utf8(U"\u0080"), "\xC2\x80");
  EXPECT_EQ(encode_utf8(U"\u07FF"), "\xDF\xBF");
  EXPECT_EQ(encode_utf8(U"\u0800"), "\xE0\xA0\x80");
  EXPECT_EQ(encode_utf8(U"\uFFFF"), "\xEF\xBF\xBF");
  EXPECT_EQ(encode_utf8(U"\U00010000"), "\xF0\x90\x80\x80");
  EXPECT_EQ(encode_utf8(U"\U0010FFFF"), "\xF4\x8F\xBF\xBF");
  // and the decoder's side of the same ends
  EXPECT_EQ(decode_utf8("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80"),
            U"\u007F\u0080\u07FF\u0800\uFFFF\U00010000");
}

TEST(Utf8, EncodeRejectsInvalidCodePoints) {
  EXPECT_BG_ERROR(encode_utf8(std::u32string{U'a', char32_t{0xD800}}), "U+D800", "index 1");
  EXPECT_BG_ERROR(encode_utf8(std::u32string{char32_t{0x110000}}), "U+110000", "index 0");
}

TEST(Utf8, RoundTrips) {
  const std::string text = "春江潮水连海平，海上明月共潮生。\nHello é 😀 \U0010FFFF";
  EXPECT_EQ(encode_utf8(decode_utf8(text)), text);
  std::u32string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; cp += 97) {
    if (cp < 0xD800 || cp > 0xDFFF) all += cp;
  }
  EXPECT_EQ(decode_utf8(encode_utf8(all)), all);
}

// ---- Exercise 2: CharTokenizer ------------------------------------------------------------

TEST(CharTokenizer, VocabularyIsTheDistinctCodePointsSortedByValue) {
  const CharTokenizer tok("hello world");
  EXPECT_EQ(tok.vocab_size(), 8);
  EXPECT_EQ(tok.vocab_string(), " dehlorw");
}

TEST(CharTokenizer, SortsByCodePointNotByBytes) {
  // a (U+0061) < é (U+00E9) < 春 (U+6625) < 江 (U+6C5F) < 😀 (U+1F600): sorted as numbers,
  // like Python's sorted(set(text)).
  const CharTokenizer tok("😀春é江a");
  EXPECT_EQ(tok.vocab_string(), "aé春江😀");
  EXPECT_EQ(tok.encode("春"), std::vector<int32_t>{2});
}

TEST(CharTokenizer, EncodesAndDecodes) {
  const CharTokenizer tok("春江花月夜\n");
  // '\n' < 夜 U+591C < 春 U+6625 < 月 U+6708 < 江 U+6C5F < 花 U+82B1
  EXPECT_EQ(tok.vocab_string(), "\n夜春月江花");
  const std::vector<int32_t> ids = tok.encode("江月夜\n");
  EXPECT_EQ(ids, (std::vector<int32_t>{4, 3, 1, 0}));
  EXPECT_EQ(tok.decode(ids), "江月夜\n");
  EXPECT_TRUE(tok.encode("").empty());
}

TEST(CharTokenizer, RoundTripsItsTrainingText) {
  const std::string text = "浣溪沙 晏殊\n一曲新词酒一杯。去年天气旧亭台。\n\nmixed ASCII too";
  const CharTokenizer tok(text);
  EXPECT_EQ(tok.decode(tok.encode(text)), text);
}

TEST(CharTokenizer, UnknownCharactersAreNamed) {
  const CharTokenizer tok("abc");
  EXPECT_BG_ERROR(tok.encode("abXcX€"),
                  "characters not in the vocabulary: 'X' (U+0058), "
                  "'€' (U+20AC)");
  EXPECT_BG_ERROR(tok.encode("a\n"), "not in the vocabulary", "U+000A");
}

TEST(CharTokenizer, EncodeRejectsInvalidUtf8) {
  const CharTokenizer tok("abc");
  EXPECT_BG_ERROR(tok.encode("ab\xFF"), "invalid UTF-8 at byte 2");
}

TEST(CharTokenizer, ConstructorRejectsInvalidUtf8) {
  EXPECT_BG_ERROR(CharTokenizer("ok\xC0\xAF"), "invalid UTF-8 at byte 2");
}

TEST(CharTokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  const CharTokenizer tok("abc");
  const std::vector<int32_t> bad = {0, 3};
  EXPECT_BG_ERROR(tok.decode(bad), "token id 3", "position 1", "[0, 3)");
  const std::vector<int32_t> negative = {-1};
  EXPECT_BG_ERROR(tok.decode(negative), "token id -1");
}

TEST(CharTokenizer, FromVocabRestoresTheSameTokenizer) {
  const CharTokenizer tok("春江花月夜 spring river");
  const CharTokenizer back = CharTokenizer::from_vocab(tok.vocab_string());
  EXPECT_EQ(back.vocab_size(), tok.vocab_size());
  EXPECT_EQ(back.vocab_string(), tok.vocab_string());
  EXPECT_EQ(back.encode("river 春"), tok.encode("river 春"));
}

TEST(CharTokenizer, FromVocabRejectsRepeatsAndDisorder) {
  EXPECT_BG_ERROR(CharTokenizer::from_vocab("abb"), "'b' (U+0062)", "position 2", "repeats");
  EXPECT_BG_ERROR(CharTokenizer::from_vocab("ba"), "'a' (U+0061)", "position 1", "'b'");
  EXPECT_BG_ERROR(CharTokenizer::from_vocab("a\xFF"), "invalid UTF-8 at byte 1");
}

TEST(CharTokenizer, EmptyTextGivesAnEmptyVocabulary) {
  const CharTokenizer tok("");
  EXPECT_EQ(tok.vocab_size(), 0);
  EXPECT_EQ(tok.vocab_string(), "");
  EXPECT_BG_ERROR(tok.encode("a"), "not in the vocabulary");
}

}  // namespace
}  // namespace bg
