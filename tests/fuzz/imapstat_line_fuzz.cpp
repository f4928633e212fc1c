// imapstat's log-line parser: any bytes give Other, Malformed or a session
// whose figures are within the parser's sanity bounds; never a crash.
// imapstat's sources are not in the fuzz library, so the parser is compiled in.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/imapstat/log_line.cpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    const std::time_t reference = 1764111875;  // 2025-11-25
    auto l = mail::imapstat::parse_log_line(line, reference);
    if (l.kind == mail::imapstat::LineKind::Session) {
        if (!(l.session.duration >= 0 && std::isfinite(l.session.duration))) std::abort();
        if (l.session.connect < 631152000) std::abort();
    }
    mail::imapstat::parse_rfc3339(line);
    mail::imapstat::parse_syslog_stamp(line.substr(0, 15), reference);
    return 0;
}
