// IMAP dates: the search "date" (1-Feb-2024) and APPEND's "date-time"
// ("01-Feb-2024 13:45:00 +0100"). Pure parsers over text without quotes.
#pragma once

#include <cstdint>
#include <string_view>

namespace mail::imapd {

struct DateTime {
    int64_t time = 0;          // seconds since the epoch, UTC
    int32_t zone_minutes = 0;  // east of UTC
    bool operator==(const DateTime&) const = default;
};

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t days_from_civil(int year, int month, int day);

// "d-Mon-yyyy" -> days since the epoch; throws ParseError.
int64_t parse_date(std::string_view text);
// "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be " d") -> DateTime; throws ParseError.
DateTime parse_date_time(std::string_view text);

}  // namespace mail::imapd
