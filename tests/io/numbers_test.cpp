// The engine's decimal reader (bg/io/numbers.h), compared bit for bit with the C library's strtod
// and strtof (glibc rounds correctly) on hand-picked hard cases, on every point halfway between
// two neighbouring floats/doubles (and just either side of it), and on many random numbers.
#include "bg/io/numbers.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "bg/random.h"

namespace bg {
namespace {

template <class T>
T reference(const std::string& s) {
  if constexpr (std::is_same_v<T, double>) {
    return std::strtod(s.c_str(), nullptr);
  } else {
    return std::strtof(s.c_str(), nullptr);
  }
}

template <class T>
auto bits(T x) {
  if constexpr (std::is_same_v<T, double>) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  } else {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  }
}

// Parses s both ways; the results must be the same bits, and the status must say what strtod's
// result says (infinity: overflow; zero from a number that is not zero: underflow).
template <class T>
::testing::AssertionResult SameAsLibc(const std::string& s) {
  T ours = 1;
  const NumberStatus status = parse_decimal(s, ours);
  const T want = reference<T>(s);
  if (bits(ours) != bits(want)) {
    char a[64], b[64];
    std::snprintf(a, sizeof a, "%.17g", static_cast<double>(ours));
    std::snprintf(b, sizeof b, "%.17g", static_cast<double>(want));
    return ::testing::AssertionFailure()
           << "'" << s << "': parse_decimal gives " << a << ", strtod " << b;
  }
  const bool nonzero_text = s.find_first_of("123456789") < s.find_first_of("eE");
  NumberStatus expected = NumberStatus::ok;
  if (std::isinf(want)) expected = NumberStatus::overflow;
  if (want == 0 && nonzero_text) expected = NumberStatus::underflow;
  if (status != expected) {
    return ::testing::AssertionFailure() << "'" << s << "': status " << static_cast<int>(status)
                                         << ", expected " << static_cast<int>(expected);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SameAsLibcBoth(const std::string& s) {
  auto d = SameAsLibc<double>(s);
  if (!d) return d;
  return SameAsLibc<float>(s);
}

TEST(Numbers, SimpleNumbers) {
  double d = -1;
  EXPECT_EQ(parse_decimal("0.1", d), NumberStatus::ok);
  EXPECT_EQ(d, 0.1);
  float f = -1;
  EXPECT_EQ(parse_decimal("0.1", f), NumberStatus::ok);
  EXPECT_EQ(f, 0.1f);
  for (const char* s :
       {"0", "-0", "1", "-1", "5.", ".5", "0.125", "1e3", "1E+3", "25e-2", "3.14159",
        "123456789012345678901234567890", "007", "0.000001", "1e0", "1e-0", "-.0e5"}) {
    EXPECT_TRUE(SameAsLibcBoth(s));
  }
  EXPECT_EQ(parse_decimal("-0", d), NumberStatus::ok);
  EXPECT_TRUE(std::signbit(d));
}

TEST(Numbers, RejectsWhatIsNotADecimalNumber) {
  for (const char* s :
       {"",    "-",        ".",    "-.",   "e5",    ".e5",  "1e",  "1e+",
        "1e-", "+1",       " 1",   "1 ",   "1.2.3", "1..2", "inf", "-inf",
        "nan", "infinity", "0x10", "1e5x", "1,5",   "--1",  "1-",  "\xE4\xB8\x80"}) {
    double d = 7;
    float f = 7;
    EXPECT_EQ(parse_decimal(s, d), NumberStatus::invalid) << "'" << s << "'";
    EXPECT_EQ(parse_decimal(s, f), NumberStatus::invalid) << "'" << s << "'";
    EXPECT_EQ(d, 0.0);
    EXPECT_EQ(f, 0.0f);
  }
}

TEST(Numbers, ReadsOnlyTheViewNotTheBytesAfterIt) {
  const std::string text = "1.25e3garbage";
  double d = 0;
  EXPECT_EQ(parse_decimal(std::string_view(text).substr(0, 6), d), NumberStatus::ok);
  EXPECT_EQ(d, 1250.0);
  EXPECT_EQ(parse_decimal(std::string_view(text).substr(0, 5), d),
            NumberStatus::invalid);  // "1.25e"
}

TEST(Numbers, RangeEnds) {
  for (const char* s :
       {// double: largest, overflow at max + half an ulp, smallest normal and subnormal
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946"
        "649017977587207096330286416692887910946555547851940402630657488671505820681908902000"
        "708383676273854845817711531764475730270069855571366959622842914819860834936475292719"
        "074168444365510704342711559699508093042880177904174497791.9999",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946"
        "649017977587207096330286416692887910946555547851940402630657488671505820681908902000"
        "708383676273854845817711531764475730270069855571366959622842914819860834936475292719"
        "074168444365510704342711559699508093042880177904174497792",
        "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "2.4703282292062327208e-324",
        "1e-323", "1e-324", "1e-325", "1e308", "1e309", "1e310", "-1e310", "1e-400",
        // float: largest, overflow, smallest normal and subnormal, their halfway points
        "3.4028235e38", "3.40282356e38", "3.4028236e38", "1.17549435e-38", "1.4e-45",
        "7.006492321624085e-46", "7.006492321624086e-46", "7.1e-46", "6.9e-46", "1e-40", "1e39",
        "1e40", "1e-46", "1e-47",
        // exponents far out of range, zero with any exponent
        "1e999999999999999999999", "1e-999999999999999999999", "0e999999999999999999",
        "0.0000e-99999999999", "-1e-999999", "-1e999999"}) {
    EXPECT_TRUE(SameAsLibcBoth(s));
  }
  float f = 0;
  EXPECT_EQ(parse_decimal("1e-320", f), NumberStatus::underflow);
  EXPECT_EQ(f, 0.0f);
  double d = 0;
  EXPECT_EQ(parse_decimal("1e-320", d), NumberStatus::ok);
  EXPECT_GT(d, 0.0);
  EXPECT_EQ(parse_decimal("1e40", f), NumberStatus::overflow);
  EXPECT_EQ(f, std::numeric_limits<float>::infinity());
}

// Rounding straight into a float is not the same as rounding into a double and then into a
// float: 1.00000005960464477539062500001 is just above the midpoint between 1 and the next
// float, but its nearest double is that midpoint exactly, which then rounds (to even) down.
TEST(Numbers, FloatsAreRoundedOnceNotThroughADouble) {
  const std::string s = "1.00000005960464477539062500001";
  float f = 0;
  EXPECT_EQ(parse_decimal(s, f), NumberStatus::ok);
  EXPECT_EQ(f, std::nextafter(1.0f, 2.0f));
  EXPECT_EQ(static_cast<float>(std::strtod(s.c_str(), nullptr)), 1.0f);
  EXPECT_TRUE(SameAsLibc<float>(s));
}

// Exact decimal text of a long double (x87's 64-bit significand holds any midpoint of two
// doubles exactly; glibc prints the exact expansion when asked for enough digits).
std::string exact(long double x) {
  std::vector<char> buf(1200);
  std::snprintf(buf.data(), buf.size(), "%.1100Le", x);
  std::string s = buf.data();
  // Drop the trailing zeros of the significand, keep the exponent.
  const size_t e = s.find('e');
  size_t end = e;
  while (end > 0 && s[end - 1] == '0') --end;
  if (s[end - 1] == '.') --end;
  return s.substr(0, end) + s.substr(e);
}

// Nudges exact() text a little: up by appending a digit 1 after `zeros` zeros (with 900 zeros,
// the difference lies beyond the digits a reader keeps and must still count), down by making
// the last non-zero digit one smaller and appending 9s.
std::string nudge(std::string s, int direction, size_t zeros = 0) {
  size_t i = s.find('e') - 1;
  if (s.find('.') == std::string::npos)
    s.insert(s.begin() + static_cast<std::ptrdiff_t>(i + 1), '.'), ++i;
  if (direction > 0) {
    return s.substr(0, i + 1) + std::string(zeros, '0') + "1" + s.substr(i + 1);
  }
  if (direction == 0) return s.substr(0, i + 1) + std::string(zeros, '0') + s.substr(i + 1);
  while (s[i] == '0' || s[i] == '.') --i;  // the last non-zero digit becomes one smaller ...
  --s[i];
  return s.substr(0, i + 1) + "9999" + s.substr(s.find('e'));  // ... followed by 9s
}

template <class T>
void check_midpoints(const std::vector<T>& values) {
  for (T x : values) {
    const T next = std::nextafter(x, std::numeric_limits<T>::infinity());
    if (std::isinf(next)) continue;
    const long double mid = (static_cast<long double>(x) + next) / 2;  // exact
    const std::string m = exact(mid);
    ASSERT_TRUE(SameAsLibc<T>(m));
    ASSERT_TRUE(SameAsLibc<T>(nudge(m, 1)));
    ASSERT_TRUE(SameAsLibc<T>(nudge(m, -1)));
    ASSERT_TRUE(SameAsLibc<T>(nudge(m, 1, 900)));
    ASSERT_TRUE(SameAsLibc<T>(nudge(m, 0, 900)));
  }
}

TEST(Numbers, HalfwayPointsRoundToEven) {
  if (LDBL_MANT_DIG < 64) GTEST_SKIP() << "needs a long double that holds a midpoint of doubles";
  std::vector<double> doubles = {1.0,
                                 0.1,
                                 1e22,
                                 1e23,
                                 9007199254740992.0,
                                 std::numeric_limits<double>::min(),
                                 std::numeric_limits<double>::denorm_min(),
                                 4 * std::numeric_limits<double>::denorm_min(),
                                 std::nextafter(std::numeric_limits<double>::max(), 0.0),
                                 std::nextafter(std::numeric_limits<double>::min(), 0.0)};
  std::vector<float> floats = {1.0f,
                               0.1f,
                               1e10f,
                               16777216.0f,
                               std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::denorm_min(),
                               std::nextafter(std::numeric_limits<float>::max(), 0.0f),
                               std::nextafter(std::numeric_limits<float>::min(), 0.0f)};
  Generator gen(20240601);
  for (int i = 0; i < 300; ++i) {
    // random bit patterns of finite numbers: every exponent is as likely as every other
    const uint64_t b = ((uint64_t{gen.next_u32()} << 32) | gen.next_u32()) & 0x7FEFFFFFFFFFFFFFull;
    double d;
    std::memcpy(&d, &b, sizeof d);
    doubles.push_back(d);
    const uint32_t fb = gen.next_u32() & 0x7F7FFFFFu;
    float f;
    std::memcpy(&f, &fb, sizeof f);
    floats.push_back(f);
  }
  check_midpoints(doubles);
  check_midpoints(floats);
}

TEST(Numbers, RandomDecimalsMatchTheCLibrary) {
  Generator gen(7);
  auto digit = [&] { return static_cast<char>('0' + static_cast<int>(gen.randint(10))); };
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    if (gen.randint(2) == 0) s += '-';
    const auto n_int = static_cast<int64_t>(gen.randint(i % 50 == 0 ? 900 : 25));
    for (int64_t k = 0; k < n_int; ++k) s += digit();
    const auto n_frac = static_cast<int64_t>(gen.randint(i % 50 == 1 ? 900 : 25));
    if (n_frac > 0 || n_int == 0) {
      s += '.';
      for (int64_t k = 0; k < std::max<int64_t>(n_frac, n_int == 0 ? 1 : 0); ++k) s += digit();
    }
    if (gen.randint(3) != 0) {
      s += 'e';
      s += std::to_string(static_cast<int64_t>(gen.randint(760)) - 380);
    }
    ASSERT_TRUE(SameAsLibcBoth(s));
  }
}

}  // namespace
}  // namespace bg
