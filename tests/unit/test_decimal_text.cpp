// The CSV number format of the results writers against printf's "%.17g", the format NEST's
// tooling and our earlier output used (the files must stay byte-identical).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "core/decimal_text.h"

namespace {

struct StringBuffer {
  std::string text;
  void append(const char* begin, const char* end) { text.append(begin, end); }
};

std::string printf_g17(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

TEST(DecimalText, EqualsPrintfG17) {
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.1,
                           1e-5,
                           1.5e-7,
                           123456789.0,
                           1e16,
                           1e17,
                           2.5e300,
                           -7.1e-310,
                           107.73716354370117,
                           0.48599998626382046,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           3.0e-3,
                           999.99999999999989};
  for (const double x : values) {
    StringBuffer out;
    eprop::append_g17(out, x);
    EXPECT_EQ(out.text, printf_g17(x)) << x;
  }
  StringBuffer nan;
  eprop::append_g17(nan, std::nan(""));
  EXPECT_EQ(nan.text, "nan");
}

TEST(DecimalText, Integers) {
  StringBuffer out;
  eprop::append_int(out, std::int64_t{-1234567890123});
  out.text += ',';
  eprop::append_int(out, std::uint32_t{4294967295U});
  EXPECT_EQ(out.text, "-1234567890123,4294967295");
}

}  // namespace
