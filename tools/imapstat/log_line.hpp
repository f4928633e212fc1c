// One line of a mail log, as imapstat sees it: the session-end line that
// imapd writes (imapd/log/session_end.hpp fixes its fields) behind one of the
// prefixes that real logs carry:
//
//   Nov 25 23:04:48 mailhost imapd[42]: session end: ...          (syslog)
//   2025-11-25T23:04:48.123456+01:00 mailhost imapd[42]: session end: ...
//                                                      (rsyslog, Debian 12)
//   2025-11-25T23:04:48Z imapd[42]: session end: ...   (imapd's log_path file)
//
// Pure functions over the bytes of a line (no I/O), so they can be tested
// and fuzzed. The only outside input is the reference time that gives a
// year to syslog's year-less stamps.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

#include "imapd/log/session_end.hpp"

namespace mail::imapstat {

enum class LineKind {
    Other,      // not an imapd session-end line (postfix, other imapd lines...)
    Malformed,  // an imapd session-end line that cannot be read
    Session,
};

struct LogLine {
    LineKind kind = LineKind::Other;
    imapd::SessionEnd session;  // valid when kind == Session
    std::time_t logged = 0;     // the prefix's time (the session's end)
};

// reference: the time the log was last written (the file's mtime); a
// syslog stamp without a year gets the reference's year, or the year before
// when that would put it more than a day after the reference (a file written
// in January holding December's lines).
LogLine parse_log_line(std::string_view line, std::time_t reference);

// The prefix's time alone, or nullopt. "Mon DD HH:MM:SS" is local time;
// RFC 3339 carries its own offset.
std::optional<std::time_t> parse_syslog_stamp(std::string_view stamp, std::time_t reference);
std::optional<std::time_t> parse_rfc3339(std::string_view stamp);

// Seconds since the epoch of a UTC civil time (proleptic Gregorian), no
// time zone look-up.
std::time_t utc_seconds(int year, int month, int day, int hour, int minute, int second);

}  // namespace mail::imapstat
