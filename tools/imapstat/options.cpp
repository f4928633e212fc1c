#include "tools/imapstat/options.hpp"

#include <charconv>
#include <cstdio>

#include "tools/imapstat/log_line.hpp"

namespace mail::imapstat {

const char* const kUsage =
    "usage: imapstat [--since DATE] [--until DATE] [--json | --csv | --html DIR]\n"
    "                [--top N] [FILE...]\n"
    "  FILE: a log, plain or .gz; - for standard input;\n"
    "        default /var/log/mail.log and its rotations\n"
    "  DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], local time by default\n";

namespace {

bool number(std::string_view s, int& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::optional<std::time_t> parse_date(std::string_view text, bool end_of_day) {
    int y, mo, d;
    if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !number(text.substr(0, 4), y) ||
        !number(text.substr(5, 2), mo) || !number(text.substr(8, 2), d) || mo < 1 || mo > 12 ||
        d < 1 || d > 31)
        return std::nullopt;
    int h = 0, mi = 0, s = 0;
    std::string_view rest = text.substr(10);
    if (rest.empty()) {
        if (end_of_day) ++d;  // normalised by mktime
    } else {
        if (rest[0] != 'T' && rest[0] != ' ') return std::nullopt;
        rest.remove_prefix(1);
        if (rest.size() < 5 || rest[2] != ':' || !number(rest.substr(0, 2), h) ||
            !number(rest.substr(3, 2), mi) || h > 23 || mi > 59)
            return std::nullopt;
        rest.remove_prefix(5);
        if (rest.size() >= 3 && rest[0] == ':') {
            if (!number(rest.substr(1, 2), s) || s > 60) return std::nullopt;
            rest.remove_prefix(3);
        }
        if (!rest.empty()) {
            // A zone: reuse the RFC 3339 parser on the full form.
            if (rest.size() > 6) return std::nullopt;
            char full[40];
            std::snprintf(full, sizeof full, "%04d-%02d-%02dT%02d:%02d:%02d%.*s", y, mo, d, h, mi,
                          s, static_cast<int>(rest.size()), rest.data());
            return parse_rfc3339(full);
        }
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    return std::mktime(&tm);
}

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
    Options o;
    bool format_set = false;
    auto set_format = [&](Format f) {
        if (format_set) {
            error = "--json, --csv and --html exclude each other";
            return false;
        }
        format_set = true;
        o.format = f;
        return true;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= args.size()) {
                error = a + " needs a value";
                return false;
            }
            out = args[++i];
            return true;
        };
        std::string v;
        if (a == "-h" || a == "--help") {
            o.help = true;
        } else if (a == "--since" || a == "--until") {
            if (!value(v)) return std::nullopt;
            auto t = parse_date(v, a == "--until");
            if (!t) {
                error = a + ": not a date: " + v;
                return std::nullopt;
            }
            (a == "--since" ? o.since : o.until) = *t;
        } else if (a == "--json") {
            if (!set_format(Format::Json)) return std::nullopt;
        } else if (a == "--csv") {
            if (!set_format(Format::Csv)) return std::nullopt;
        } else if (a == "--html") {
            if (!value(o.html_dir) || !set_format(Format::Html)) return std::nullopt;
        } else if (a == "--top") {
            int n = 0;
            if (!value(v)) return std::nullopt;
            if (!number(v, n) || n < 1) {
                error = "--top: not a positive number: " + v;
                return std::nullopt;
            }
            o.top = static_cast<size_t>(n);
        } else if (a == "--") {
            o.files.insert(o.files.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        } else if (a.size() > 1 && a[0] == '-') {
            error = "unknown option " + a;
            return std::nullopt;
        } else {
            o.files.push_back(a);
        }
    }
    if (o.since && o.until && *o.until <= *o.since) {
        error = "--until is not after --since";
        return std::nullopt;
    }
    return o;
}

}  // namespace mail::imapstat
