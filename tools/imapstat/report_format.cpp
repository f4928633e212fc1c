#include <cstdio>

#include "tools/imapstat/report.hpp"

namespace mail::imapstat {

std::string format_duration(double seconds) {
    long s = static_cast<long>(seconds + 0.5);
    char buf[48];
    long d = s / 86400;
    s %= 86400;
    if (d > 0)
        std::snprintf(buf, sizeof buf, "%ldd %02ld:%02ld:%02ld", d, s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

std::string format_utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string format_hour_utc(long hour) {
    std::time_t t = static_cast<std::time_t>(hour) * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:00Z", &tm);
    return buf;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            // Names come from log_word's escaping, so this is ASCII; other
            // bytes are shown as \u00XX rather than as invalid UTF-8.
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace mail::imapstat
