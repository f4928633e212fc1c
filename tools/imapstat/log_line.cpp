#include "tools/imapstat/log_line.hpp"

#include <cmath>

namespace mail::imapstat {

namespace {

constexpr std::string_view kSessionEnd = "session end: ";
// Sanity bounds: a value outside them is a damaged line, not a session.
constexpr double kMaxDuration = 366.0 * 86400;
constexpr std::time_t kMinTime = 631152000;    // 1990-01-01
constexpr std::time_t kMaxTime = 7258118400;   // 2200-01-01

bool digits(std::string_view s, size_t at, size_t n, int& out) {
    if (at + n > s.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

int month_number(std::string_view m) {
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (m == kMonths[i]) return i + 1;
    return 0;
}

bool valid_clock(int month, int day, int hour, int minute, int second) {
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 &&
           second <= 60;
}

// Local civil time to epoch seconds. mktime consults the time zone on each
// call, which is slow at a million lines: the start of the last hour asked
// for is remembered (zone changes happen on hour boundaries).
std::time_t local_seconds(int year, int month, int day, int hour, int minute, int second) {
    thread_local long cached_key = -1;
    thread_local std::time_t cached_hour = 0;
    long key = ((static_cast<long>(year) * 13 + month) * 32 + day) * 24 + hour;
    if (key != cached_key) {
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_isdst = -1;
        cached_hour = std::mktime(&tm);
        cached_key = key;
    }
    return cached_hour + minute * 60 + second;
}

bool sane(const imapd::SessionEnd& s) {
    auto ok = [](double v, double max) { return std::isfinite(v) && v >= 0 && v <= max; };
    return s.connect >= kMinTime && s.connect <= kMaxTime && ok(s.duration, kMaxDuration) &&
           ok(s.utime, kMaxDuration) && ok(s.stime, kMaxDuration) && s.maxrss >= 0 &&
           s.minflt >= 0 && s.majflt >= 0 && s.nvcsw >= 0 && s.nivcsw >= 0;
}

// "host imapd[42]" or "imapd[42]" or "imapd": is the program imapd?
bool imapd_tag(std::string_view rest) {
    size_t sp = rest.rfind(' ');
    std::string_view tag = sp == std::string_view::npos ? rest : rest.substr(sp + 1);
    if (sp != std::string_view::npos && rest.substr(0, sp).find(' ') != std::string_view::npos)
        return false;  // more than "host tag"
    size_t bracket = tag.find('[');
    std::string_view program = tag.substr(0, bracket);
    if (program != "imapd") return false;
    if (bracket == std::string_view::npos) return true;
    return tag.size() > bracket + 2 && tag.back() == ']';
}

}  // namespace

std::time_t utc_seconds(int year, int month, int day, int hour, int minute, int second) {
    // Howard Hinnant's days_from_civil.
    year -= month <= 2;
    const long era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long days = era * 146097 + static_cast<long>(doe) - 719468;
    return static_cast<std::time_t>(days) * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<std::time_t> parse_rfc3339(std::string_view s) {
    int y, mo, d, h, mi, se;
    if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) ||
        s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, se) || !valid_clock(mo, d, h, mi, se))
        return std::nullopt;
    size_t i = 19;
    if (s[i] == '.') {
        ++i;
        size_t from = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == from) return std::nullopt;
    }
    std::time_t t = utc_seconds(y, mo, d, h, mi, se);
    std::string_view zone = s.substr(i);
    if (zone == "Z" || zone == "z") return t;
    int zh, zm;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2, zh) ||
        zone[3] != ':' || !digits(zone, 4, 2, zm) || zh > 23 || zm > 59)
        return std::nullopt;
    int offset = zh * 3600 + zm * 60;
    return zone[0] == '+' ? t - offset : t + offset;
}

std::optional<std::time_t> parse_syslog_stamp(std::string_view s, std::time_t reference) {
    // "Nov 25 23:04:48" or "Nov  5 23:04:48"
    int mo = s.size() == 15 ? month_number(s.substr(0, 3)) : 0;
    int d, h, mi, se;
    if (mo == 0 || s[3] != ' ') return std::nullopt;
    if (s[4] == ' ') {
        if (!digits(s, 5, 1, d)) return std::nullopt;
    } else if (!digits(s, 4, 2, d)) {
        return std::nullopt;
    }
    if (s[6] != ' ' || !digits(s, 7, 2, h) || s[9] != ':' || !digits(s, 10, 2, mi) ||
        s[12] != ':' || !digits(s, 13, 2, se) || !valid_clock(mo, d, h, mi, se))
        return std::nullopt;
    std::tm ref{};
    localtime_r(&reference, &ref);
    int year = ref.tm_year + 1900;
    std::time_t t = local_seconds(year, mo, d, h, mi, se);
    if (t > reference + 86400) t = local_seconds(year - 1, mo, d, h, mi, se);
    return t;
}

LogLine parse_log_line(std::string_view line, std::time_t reference) {
    LogLine out;
    size_t at = line.find(kSessionEnd);
    if (at == std::string_view::npos) return out;
    std::string_view prefix = line.substr(0, at);
    // The prefix ends with the tag's ": "; the stamp is its first word
    // (RFC 3339) or first three (syslog).
    if (prefix.size() < 2 || prefix.substr(prefix.size() - 2) != ": ") {
        out.kind = LineKind::Malformed;
        return out;
    }
    prefix.remove_suffix(2);
    std::optional<std::time_t> logged;
    std::string_view rest;
    if (!prefix.empty() && prefix[0] >= '0' && prefix[0] <= '9') {
        size_t sp = prefix.find(' ');
        if (sp != std::string_view::npos) {
            logged = parse_rfc3339(prefix.substr(0, sp));
            rest = prefix.substr(sp + 1);
        }
    } else if (prefix.size() > 16 && prefix[15] == ' ') {
        logged = parse_syslog_stamp(prefix.substr(0, 15), reference);
        rest = prefix.substr(16);
    }
    if (!logged) {
        out.kind = LineKind::Malformed;
        return out;
    }
    if (!imapd_tag(rest)) return out;  // another program's "session end: "
    auto session = imapd::parse_session_end(line.substr(at));
    if (!session || !sane(*session)) {
        out.kind = LineKind::Malformed;
        return out;
    }
    out.kind = LineKind::Session;
    out.session = std::move(*session);
    out.logged = *logged;
    return out;
}

}  // namespace mail::imapstat
