// Reading decimal numbers into float and double, correctly rounded, on every standard library.
//
// std::from_chars for floating point is what we would use, but libc++ 14 (the clang of Debian
// 12, and Apple's for years) does not have it, and std::strtod depends on the C locale (a
// German locale reads "0,5"). So the engine has its own reader: the text is read as an exact
// decimal D · 10^E and rounded once, to nearest with ties to even, straight into the target
// type — parsing "1e-40" into a float rounds once, never through a double first.
//
// Accepted text: an optional '-', digits with an optional '.' (at least one digit in all:
// "5", "5.", ".5", "0.125"), then an optional exponent 'e' or 'E', optional sign, digits.
// Nothing else: no '+' in front, no spaces, no "inf", "nan" or hexadecimal.
#pragma once

#include <string>
#include <string_view>

namespace bg {

enum class NumberStatus {
  ok,         // value holds the nearest float/double (a subnormal one included)
  invalid,    // the text is not a number in the form above; value is 0
  overflow,   // the number is too large for the type; value is ±infinity
  underflow,  // a number that is not zero is too small for the type: value is ±0
};

// Parses all of `text` into `value`, rounding to nearest, ties to even.
NumberStatus parse_decimal(std::string_view text, double& value);
NumberStatus parse_decimal(std::string_view text, float& value);

}  // namespace bg
