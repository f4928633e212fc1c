// The line every session logs when it ends, which imapstat reads. Stable
// format (documented in imapd.8); fields are key=value separated by one
// space, in this order, values never holding spaces (log_word escapes them):
//
//   session end: user=fred host=192.0.2.7 connect=2026-11-25T23:04:35Z
//   duration=12.345 utime=0.012 stime=0.004 maxrss=4096 minflt=210 majflt=0
//   nvcsw=12 nivcsw=3 in=1234 out=56789
//
//   user      the logged-in user, "-" when nobody logged in
//   host      the client's address ("local" for a pipe)
//   connect   when the session started, UTC
//   duration  seconds, with milliseconds
//   utime, stime  user and system CPU seconds (getrusage RUSAGE_SELF)
//   maxrss    maximum resident set size, KB
//   minflt, majflt  page faults without and with I/O
//   nvcsw, nivcsw   voluntary and involuntary context switches
//   in, out   bytes read from and written to the client (TLS: plaintext)
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mail::imapd {

struct SessionEnd {
    std::string user;          // empty: nobody logged in
    std::string host;
    std::time_t connect = 0;   // UTC seconds
    double duration = 0;       // seconds
    double utime = 0, stime = 0;
    long maxrss = 0;           // KB
    long minflt = 0, majflt = 0;
    long nvcsw = 0, nivcsw = 0;
    uint64_t bytes_in = 0, bytes_out = 0;
};

// The line, starting "session end: ".
std::string format_session_end(const SessionEnd& s);
// Parses a line (or any text holding it, such as a syslog line); nullopt
// when it is not one.
std::optional<SessionEnd> parse_session_end(std::string_view line);

// Fills the rusage fields and the duration from the process's own figures.
void measure_session(SessionEnd& s, double duration_seconds);

}  // namespace mail::imapd
