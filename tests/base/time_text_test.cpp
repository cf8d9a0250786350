// RFC 3339 time text (base/time_text.h): the one form records, database rows, APIs and logs use.
#include "base/time_text.h"

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

constexpr sys_seconds k_moment = sys_days{2026y / November / 23} + 9h + 15min + 7s;

TEST(FormatRfc3339, WritesUtcWithWholeSecondsAndZ) {
  EXPECT_EQ(format_rfc3339(k_moment), "2026-11-23T09:15:07Z");
  EXPECT_EQ(format_rfc3339(sys_seconds{}), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339, DropsTheFractionOfASecond) {
  const system_clock::time_point precise = k_moment + 999ms;
  EXPECT_EQ(format_rfc3339(precise), "2026-11-23T09:15:07Z");
}

TEST(FormatRfc3339, PrintsYearsBeyondWhatNanosecondsHold) {
  // A mistyped date must still appear in its error message.
  EXPECT_EQ(format_rfc3339(sys_seconds{sys_days{2999y / January / 1}}), "2999-01-01T00:00:00Z");
}

TEST(ParseRfc3339, ReadsWhatFormatWrites) {
  for (const sys_seconds t : {k_moment, sys_seconds{}, sys_seconds{sys_days{2024y / February / 29}},
                              sys_seconds{sys_days{2999y / December / 31} + 86399s}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t) << format_rfc3339(t);
  }
}

TEST(ParseRfc3339, AcceptsALeapSecondAsTheNextSecond) {
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), sys_seconds{sys_days{2017y / January / 1}});
}

TEST(ParseRfc3339, RefusesEveryOtherForm) {
  for (const char* text :
       {"", "2026-11-23", "2026-11-23T09:15:07", "2026-11-23T09:15:07+00:00",
        "2026-11-23T09:15:07.250Z", "2026-11-23t09:15:07z", "2026-11-23 09:15:07Z",
        "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T09:60:00Z", "2026-11-23T09:15:61Z", "-026-11-23T09:15:07Z",
        "2026-11-2xT09:15:07Z", " 2026-11-23T09:15:07Z"}) {
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  }
}

TEST(FormatDate, IsTheDatePart) {
  EXPECT_EQ(format_date(k_moment), "2026-11-23");
}

TEST(ParseDate, GivesMidnightUtc) {
  EXPECT_EQ(parse_date("2026-11-23"), sys_seconds{sys_days{2026y / November / 23}});
  EXPECT_EQ(parse_date(format_date(k_moment)), floor<days>(k_moment));
}

TEST(ParseDate, RefusesTimesAndImpossibleDays) {
  for (const char* text : {"", "2026-11-23T00:00:00Z", "2026-02-29", "2026-1-23", "26-11-23"}) {
    EXPECT_FALSE(parse_date(text)) << text;
  }
}

} // namespace
} // namespace atelier::base
