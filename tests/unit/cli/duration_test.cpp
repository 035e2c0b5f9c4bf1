// DUR as the CLI takes it: "250ms", "5s", "2m", "1h", fractions, a bare number of ms; every
// malformed input is rejected with a one-line message naming it.
#include <gtest/gtest.h>

#include "base/duration.h"

namespace memlens::base {
namespace {

int64_t ms(std::string_view text) {
  auto d = parse_duration(text);
  EXPECT_TRUE(d) << text << ": " << (d ? "" : d.error().message);
  return d ? d->count() : -1;
}

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(ms("250ms"), 250);
  EXPECT_EQ(ms("5s"), 5000);
  EXPECT_EQ(ms("2m"), 120'000);
  EXPECT_EQ(ms("1h"), 3'600'000);
  EXPECT_EQ(ms("100"), 100);  // bare number: milliseconds (the seed's unit)
}

TEST(Duration, FractionsAndZero) {
  EXPECT_EQ(ms("1.5s"), 1500);
  EXPECT_EQ(ms("0.25s"), 250);
  EXPECT_EQ(ms("0"), 0);
  EXPECT_EQ(ms("0s"), 0);
}

TEST(Duration, RejectsMalformedInputWithOneLineNamingIt) {
  for (std::string_view bad :
       {"", "s", "5x", "5 s", "-1s", "1.2.3s", "ms", "5sec", "1e3s", " 5s", "99999999999999999h"}) {
    auto d = parse_duration(bad);
    ASSERT_FALSE(d) << "accepted '" << bad << "'";
    EXPECT_NE(d.error().message.find(std::string("'") + std::string(bad) + "'"), std::string::npos)
        << d.error().message;
    EXPECT_EQ(d.error().message.find('\n'), std::string::npos);
  }
}

TEST(Duration, FormatsForHumans) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(5000)), "5s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(150'000)), "2m30s");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
}

}  // namespace
}  // namespace memlens::base
