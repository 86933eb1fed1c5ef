// Decimal text to float/double, correctly rounded (see bg/io/numbers.h).
//
// The text is read as D · 10^E with D a whole number of at most kMaxDigits digits. Then:
//   - fast path (Clinger): when D and 10^|E| are both exact in the target type, one
//     multiplication or division rounds once, correctly;
//   - otherwise, exactly with big integers: with N = D · 10^max(E, 0) and M = 10^max(-E, 0)
//     the value is N / M; pick the binary exponent e that leaves p bits in q = ⌊N / (M · 2^e)⌋
//     (p = 53 for double, 24 for float; e never below the exponent of the smallest subnormal),
//     and round q up when the remainder is more than half of M · 2^e, or exactly half and q odd.
// Digits beyond kMaxDigits only matter through whether any of them is non-zero: every point
// halfway between two doubles has fewer than 770 significant digits, so the first 800 digits and
// one "sticky" digit 1 standing for the non-zero rest round exactly like the whole number.
#include "bg/io/numbers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace bg {

namespace {

constexpr size_t kMaxDigits = 800;

// An unsigned whole number of any size: base-2^32 limbs, least significant first, no zero limbs
// at the top (zero has none).
class BigUint {
 public:
  explicit BigUint(uint32_t v) {
    if (v != 0) limbs_.push_back(v);
  }

  // this = this · m + a
  void mul_add(uint32_t m, uint32_t a) {
    uint64_t carry = a;
    for (uint32_t& limb : limbs_) {
      const uint64_t t = static_cast<uint64_t>(limb) * m + carry;
      limb = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<uint32_t>(carry));
  }

  // this = this · 10^n
  void mul_pow10(int64_t n) {
    for (; n >= 9; n -= 9) mul_add(1000000000u, 0);
    uint32_t m = 1;
    for (; n > 0; --n) m *= 10;
    mul_add(m, 0);
  }

  // this = this · 2^n
  void shift_left(int64_t n) {
    if (limbs_.empty() || n == 0) return;
    const auto words = static_cast<size_t>(n / 32);
    const int bits = static_cast<int>(n % 32);
    if (bits != 0) {
      uint32_t carry = 0;
      for (uint32_t& limb : limbs_) {
        const uint32_t next = limb >> (32 - bits);
        limb = (limb << bits) | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), words, 0u);
  }

  // this = ⌊this / 2⌋
  void halve() {
    uint32_t carry = 0;
    for (size_t i = limbs_.size(); i-- > 0;) {
      const uint32_t next = limbs_[i] & 1u;
      limbs_[i] = (limbs_[i] >> 1) | (carry << 31);
      carry = next;
    }
    trim();
  }

  // this = this - o, for o <= this
  void subtract(const BigUint& o) {
    int64_t borrow = 0;
    for (size_t i = 0; i < limbs_.size(); ++i) {
      int64_t t = static_cast<int64_t>(limbs_[i]) - borrow -
                  (i < o.limbs_.size() ? static_cast<int64_t>(o.limbs_[i]) : 0);
      borrow = t < 0 ? 1 : 0;
      if (t < 0) t += int64_t{1} << 32;
      limbs_[i] = static_cast<uint32_t>(t);
    }
    trim();
  }

  int64_t bit_length() const {
    if (limbs_.empty()) return 0;
    int64_t n = static_cast<int64_t>(limbs_.size() - 1) * 32;
    for (uint32_t top = limbs_.back(); top != 0; top >>= 1) ++n;
    return n;
  }

  bool is_zero() const { return limbs_.empty(); }

  // -1, 0 or 1 as a <, =, > b
  friend int compare(const BigUint& a, const BigUint& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  void trim() {
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }
  std::vector<uint32_t> limbs_;
};

// The number as text reads: ± digits · 10^exp10; digits has no leading or trailing '0' and is
// empty for zero.
struct Decimal {
  bool negative = false;
  std::string digits;
  int64_t exp10 = 0;
};

bool read_decimal(std::string_view s, Decimal& d) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    d.negative = true;
    ++i;
  }
  bool point = false, sticky = false;
  size_t n_digits = 0;
  int64_t shift = 0;  // the power of ten the kept digits are off by
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++n_digits;
    if (point) --shift;
    if (d.digits.empty() && c == '0') continue;  // a leading zero
    if (d.digits.size() < kMaxDigits) {
      d.digits += c;
    } else {
      ++shift;  // a dropped digit
      sticky = sticky || c != '0';
    }
  }
  if (n_digits == 0) return false;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
    size_t n_exponent_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n_exponent_digits) {
      // Saturates far beyond any float's range: 1e999999999999 is simply too large.
      if (exponent < 1'000'000'000'000) exponent = exponent * 10 + (s[i] - '0');
    }
    if (n_exponent_digits == 0) return false;
    if (negative_exponent) exponent = -exponent;
  }
  if (i != s.size()) return false;
  d.exp10 = shift + exponent;
  if (sticky) {
    d.digits += '1';
    --d.exp10;
  }
  while (!d.digits.empty() && d.digits.back() == '0') {
    d.digits.pop_back();
    ++d.exp10;
  }
  return true;
}

// What distinguishes float from double here.
template <class T>
struct Format;
template <>
struct Format<double> {
  static constexpr int kBits = 53;  // bits of the significand, the hidden one included
  static constexpr int64_t kMinExponent = -1074;  // value = q · 2^e, e >= this (subnormals)
  static constexpr int64_t kMaxExponent = 971;    // q < 2^53 and e <= this: below 2^1024
  static constexpr int kMaxExactDigits = 15;      // 10^15 < 2^53
  static constexpr int kMaxExactPow10 = 22;       // 10^22 = 2^22 · 5^22, 5^22 < 2^53
  static constexpr int64_t kTooLarge = 310;       // D · 10^E >= 10^309 > max: overflow
  static constexpr int64_t kTooSmall = -324;      // D · 10^E < 10^-324 < 2^-1075: zero
};
template <>
struct Format<float> {
  static constexpr int kBits = 24;
  static constexpr int64_t kMinExponent = -149;
  static constexpr int64_t kMaxExponent = 104;
  static constexpr int kMaxExactDigits = 7;
  static constexpr int kMaxExactPow10 = 10;
  static constexpr int64_t kTooLarge = 40;
  static constexpr int64_t kTooSmall = -46;
};

template <class T>
NumberStatus convert(std::string_view text, T& value) {
  using F = Format<T>;
  value = 0;
  Decimal d;
  if (!read_decimal(text, d)) return NumberStatus::invalid;
  const T sign = d.negative ? T(-1) : T(1);
  if (d.digits.empty()) {
    value = sign * T(0);
    return NumberStatus::ok;
  }
  // The value lies in [10^(L-1), 10^L) for L = number of digits + exp10.
  const int64_t magnitude = static_cast<int64_t>(d.digits.size()) + d.exp10;
  if (magnitude > F::kTooLarge) {
    value = sign * std::numeric_limits<T>::infinity();
    return NumberStatus::overflow;
  }
  if (magnitude < F::kTooSmall) {
    value = sign * T(0);
    return NumberStatus::underflow;
  }

  if (static_cast<int>(d.digits.size()) <= F::kMaxExactDigits && d.exp10 >= -F::kMaxExactPow10 &&
      d.exp10 <= F::kMaxExactPow10) {
    uint64_t n = 0;
    for (char c : d.digits) n = n * 10 + static_cast<uint64_t>(c - '0');
    T pow10 = 1;
    for (int64_t k = 0; k < (d.exp10 < 0 ? -d.exp10 : d.exp10); ++k) pow10 *= 10;  // exact
    const T x = static_cast<T>(n);                                                 // exact
    value = sign * (d.exp10 < 0 ? x / pow10 : x * pow10);
    return NumberStatus::ok;
  }

  BigUint num(0), den(1);
  for (char c : d.digits) num.mul_add(10, static_cast<uint32_t>(c - '0'));
  if (d.exp10 >= 0) {
    num.mul_pow10(d.exp10);
  } else {
    den.mul_pow10(-d.exp10);
  }
  // num / den lies in (2^(bits(num) - bits(den) - 1), 2^(bits(num) - bits(den) + 1)).
  int64_t e = std::max(num.bit_length() - den.bit_length() - F::kBits, F::kMinExponent);
  uint64_t q = 0;
  int half = 0;  // the remainder compared with half the divisor
  for (;;) {
    BigUint rest = num, divisor = den;
    if (e >= 0) {
      divisor.shift_left(e);
    } else {
      rest.shift_left(-e);
    }
    // Long division, one bit at a time: q < 2^(kBits + 1).
    q = 0;
    BigUint step = divisor;
    step.shift_left(F::kBits + 1);
    for (int bit = F::kBits + 1; bit >= 0; --bit) {
      if (compare(rest, step) >= 0) {
        rest.subtract(step);
        q |= uint64_t{1} << bit;
      }
      step.halve();
    }
    if (q >= (uint64_t{1} << F::kBits)) {  // one bit too many: one binary exponent higher
      ++e;
      continue;
    }
    rest.shift_left(1);
    half = compare(rest, divisor);
    break;
  }
  if (half > 0 || (half == 0 && (q & 1u) != 0)) ++q;
  if (q == (uint64_t{1} << F::kBits)) {
    q >>= 1;
    ++e;
  }
  if (e > F::kMaxExponent) {
    value = sign * std::numeric_limits<T>::infinity();
    return NumberStatus::overflow;
  }
  if (q == 0) {
    value = sign * T(0);
    return NumberStatus::underflow;
  }
  value = sign * std::ldexp(static_cast<T>(q), static_cast<int>(e));  // exact
  return NumberStatus::ok;
}

}  // namespace

NumberStatus parse_decimal(std::string_view text, double& value) { return convert(text, value); }
NumberStatus parse_decimal(std::string_view text, float& value) { return convert(text, value); }

}  // namespace bg
