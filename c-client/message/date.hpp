// Dates: RFC 5322 date-time (with the obsolete forms) and IMAP's date-time
// and date (RFC 3501). Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mail {

// A moment: seconds since the epoch in UTC, and the zone it was written in
// (minutes east of UTC, -0500 is -300).
struct DateTime {
    std::int64_t utc = 0;
    int zone_minutes = 0;
    friend bool operator==(const DateTime&, const DateTime&) = default;
};

// A calendar day, for SEARCH BEFORE/ON/SINCE.
struct CivilDate {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
    friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t days_from_civil(int year, int month, int day);
CivilDate civil_from_days(std::int64_t days);

// RFC 5322 3.3 date-time, obsolete syntax included (4.3): day of week
// optional, 2-digit years (< 50 is 20xx, else 19xx) and 3-digit years
// (+1900), missing seconds, comments and extra whitespace anywhere, zones
// UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT; military and unknown zones
// and a missing zone are taken as -0000 (RFC 5322 4.3). Nothing when the
// text is not a date.
std::optional<DateTime> parse_rfc5322_date(std::string_view text);

// IMAP date-time, "dd-Mon-yyyy hh:mm:ss +zzzz", the day space-padded
// (RFC 3501 date-day-fixed): the moment shown in its zone, as INTERNALDATE
// is sent (quotes not included).
std::string format_imap_datetime(const DateTime& t);

// Parses an IMAP date-time (APPEND), with or without the double quotes; the
// day may be " 1", "1" or "01".
std::optional<DateTime> parse_imap_datetime(std::string_view text);

// Parses an IMAP date (SEARCH): "1-Feb-1994", optionally quoted.
std::optional<CivilDate> parse_imap_date(std::string_view text);

// The calendar day of a moment in its own zone (SEARCH SENTBEFORE etc. use
// the Date: header's day as written).
CivilDate local_date(const DateTime& t);

}  // namespace mail
