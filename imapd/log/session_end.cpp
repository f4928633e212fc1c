#include "imapd/log/session_end.hpp"

#include <charconv>
#include <cstdio>
#include <sys/resource.h>
#include <vector>

#include "imapd/log/log.hpp"

namespace mail::imapd {

namespace {

constexpr std::string_view kPrefix = "session end: ";

std::string seconds3(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
    return buf;
}

std::string utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<std::time_t> parse_utc(std::string_view v) {
    std::tm tm{};
    std::string s(v);
    const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) return std::nullopt;
    return timegm(&tm);
}

std::string unescape(std::string_view w) {
    if (w == "-") return {};
    std::string out;
    for (size_t i = 0; i < w.size(); ++i) {
        unsigned v = 0;
        if (w[i] == '%' && i + 2 < w.size() &&
            std::from_chars(w.data() + i + 1, w.data() + i + 3, v, 16).ptr == w.data() + i + 3) {
            out += static_cast<char>(v);
            i += 2;
        } else {
            out += w[i];
        }
    }
    return out;
}

template <typename T>
bool number(std::string_view v, T& out) {
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size();
}

bool decimal(std::string_view v, double& out) {
    // from_chars for double is missing from older libstdc++; strtod on a copy.
    std::string s(v);
    if (s.empty()) return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

}  // namespace

std::string format_session_end(const SessionEnd& s) {
    std::string line(kPrefix);
    line += "user=" + log_word(s.user);
    line += " host=" + log_word(s.host);
    line += " connect=" + utc(s.connect);
    line += " duration=" + seconds3(s.duration);
    line += " utime=" + seconds3(s.utime);
    line += " stime=" + seconds3(s.stime);
    line += " maxrss=" + std::to_string(s.maxrss);
    line += " minflt=" + std::to_string(s.minflt);
    line += " majflt=" + std::to_string(s.majflt);
    line += " nvcsw=" + std::to_string(s.nvcsw);
    line += " nivcsw=" + std::to_string(s.nivcsw);
    line += " in=" + std::to_string(s.bytes_in);
    line += " out=" + std::to_string(s.bytes_out);
    return line;
}

std::optional<SessionEnd> parse_session_end(std::string_view line) {
    size_t at = line.find(kPrefix);
    if (at == std::string_view::npos) return std::nullopt;
    line.remove_prefix(at + kPrefix.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);

    static constexpr std::string_view kKeys[] = {"user",  "host",   "connect", "duration", "utime",
                                                 "stime", "maxrss", "minflt",  "majflt",   "nvcsw",
                                                 "nivcsw", "in",    "out"};
    SessionEnd s;
    size_t k = 0;
    while (!line.empty()) {
        size_t sp = line.find(' ');
        std::string_view field = line.substr(0, sp);
        line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
        size_t eq = field.find('=');
        if (eq == std::string_view::npos || k >= std::size(kKeys) || field.substr(0, eq) != kKeys[k])
            return std::nullopt;
        std::string_view v = field.substr(eq + 1);
        bool ok = true;
        switch (k) {
        case 0: s.user = unescape(v); break;
        case 1: s.host = unescape(v); break;
        case 2: {
            auto t = parse_utc(v);
            ok = t.has_value();
            if (ok) s.connect = *t;
            break;
        }
        case 3: ok = decimal(v, s.duration); break;
        case 4: ok = decimal(v, s.utime); break;
        case 5: ok = decimal(v, s.stime); break;
        case 6: ok = number(v, s.maxrss); break;
        case 7: ok = number(v, s.minflt); break;
        case 8: ok = number(v, s.majflt); break;
        case 9: ok = number(v, s.nvcsw); break;
        case 10: ok = number(v, s.nivcsw); break;
        case 11: ok = number(v, s.bytes_in); break;
        case 12: ok = number(v, s.bytes_out); break;
        }
        if (!ok) return std::nullopt;
        ++k;
    }
    if (k != std::size(kKeys)) return std::nullopt;
    return s;
}

void measure_session(SessionEnd& s, double duration_seconds) {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
    s.duration = duration_seconds;
    s.utime = secs(ru.ru_utime);
    s.stime = secs(ru.ru_stime);
    s.maxrss = ru.ru_maxrss;
    s.minflt = ru.ru_minflt;
    s.majflt = ru.ru_majflt;
    s.nvcsw = ru.ru_nvcsw;
    s.nivcsw = ru.ru_nivcsw;
}

}  // namespace mail::imapd
