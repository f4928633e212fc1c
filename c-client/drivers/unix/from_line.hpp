// The "From " separator line of a Berkeley mbox: which lines count as one
// (UW c-client's VALID macro, unix.h, which accepts the UW, procmail,
// Postfix, SysV, Solaris and "remote from" forms) and the date it carries,
// which is the message's internal date. Pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mail::unixmbox {

struct FromLineDate {
    int64_t utc = 0;
    int32_t zone_minutes = 0;  // east of UTC; the local zone when the line has none
};

// line: one line without its line end (the caller has seen the "\n"; UW
// never takes a line without one as a separator). nullopt: not a separator.
std::optional<FromLineDate> parse_from_line(std::string_view line);

// True when the line (without line end) starts with "From " and is a
// separator by parse_from_line.
inline bool is_from_line(std::string_view line) { return parse_from_line(line).has_value(); }

// "From SENDER Www Mmm dd hh:mm:ss yyyy +zzzz" as UW's mail_cdate writes it,
// with no line end. The sender must not be empty and holds no spaces.
std::string format_from_line(std::string_view sender, int64_t utc, int32_t zone_minutes);

}  // namespace mail::unixmbox
