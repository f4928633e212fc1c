#include "message/date.hpp"

#include <array>
#include <cstdio>

namespace mail {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// 1..12 for a month name (its first three letters are enough), else 0.
int month_number(std::string_view word) {
    if (word.size() < 3) return 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i)
        if (iequals(word.substr(0, 3), kMonths[i])) return int(i) + 1;
    return 0;
}

bool is_weekday(std::string_view word) {
    if (word.size() < 3) return false;
    for (auto d : kWeekdays)
        if (iequals(word.substr(0, 3), d)) return true;
    return false;
}

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

// Zone names of RFC 5322 4.3, in minutes east of UTC; military letters and
// unknown names are -0000 ("no information"), i.e. 0.
int named_zone(std::string_view name) {
    static constexpr struct {
        std::string_view name;
        int minutes;
    } kZones[] = {{"UT", 0},       {"UTC", 0},      {"GMT", 0},      {"EST", -5 * 60},
                  {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60}, {"MST", -7 * 60},
                  {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60}};
    for (const auto& z : kZones)
        if (iequals(name, z.name)) return z.minutes;
    return 0;
}

// A cursor over RFC 5322 date text that skips whitespace and comments.
class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}

    void skip_cfws() {
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
            } else if (c == '(') {
                int depth = 0;
                while (i_ < s_.size()) {
                    char d = s_[i_++];
                    if (d == '\\' && i_ < s_.size()) ++i_;
                    else if (d == '(') ++depth;
                    else if (d == ')' && --depth == 0) break;
                }
            } else {
                break;
            }
        }
    }
    bool at_end() {
        skip_cfws();
        return i_ >= s_.size();
    }
    bool take(char c) {
        skip_cfws();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    std::string_view word() {
        skip_cfws();
        std::size_t start = i_;
        while (i_ < s_.size() && is_alpha(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }
    // Up to max_digits digits; the value and how many there were.
    std::pair<int, int> number(int max_digits = 9) {
        skip_cfws();
        int value = 0, n = 0;
        while (i_ < s_.size() && is_digit(s_[i_]) && n < max_digits) {
            value = value * 10 + (s_[i_++] - '0');
            ++n;
        }
        return {value, n};
    }
    char peek() {
        skip_cfws();
        return i_ < s_.size() ? s_[i_] : '\0';
    }
    std::size_t pos() const { return i_; }
    void set_pos(std::size_t p) { i_ = p; }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

bool valid(int year, int month, int day, int h, int m, int s) {
    return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month) && h >= 0 &&
           h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 60;
}

std::int64_t to_utc(int year, int month, int day, int h, int m, int s, int zone) {
    // A leap second is counted as the last second of its minute.
    if (s == 60) s = 59;
    return days_from_civil(year, month, day) * 86400 + h * 3600 + m * 60 + s - zone * 60;
}

std::string_view strip_quotes(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

}  // namespace

// Howard Hinnant's algorithms (public domain), proleptic Gregorian calendar.
std::int64_t days_from_civil(int year, int month, int day) {
    std::int64_t y = std::int64_t(year) - (month <= 2);
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    std::int64_t yoe = y - era * 400;
    std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    int day = int(doy - (153 * mp + 2) / 5 + 1);
    int month = int(mp < 10 ? mp + 3 : mp - 9);
    return CivilDate{int(yoe + era * 400 + (month <= 2)), month, day};
}

std::optional<DateTime> parse_rfc5322_date(std::string_view text) {
    Scanner sc(text);
    // [day-of-week ","]
    std::size_t start = sc.pos();
    std::string_view w = sc.word();
    if (!w.empty() && is_weekday(w) && month_number(w) == 0) {
        sc.take(',');
    } else {
        sc.set_pos(start);
    }
    auto [day, day_digits] = sc.number(2);
    if (day_digits == 0) return std::nullopt;
    sc.take('-');  // "1-Jan-2001", seen in the wild
    int month = month_number(sc.word());
    if (month == 0) return std::nullopt;
    sc.take('-');
    auto [year, year_digits] = sc.number(4);
    if (year_digits < 2) return std::nullopt;
    if (year_digits == 2) year += year < 50 ? 2000 : 1900;
    else if (year_digits == 3) year += 1900;
    auto [hour, hd] = sc.number(2);
    if (hd == 0 || !sc.take(':')) return std::nullopt;
    auto [minute, md] = sc.number(2);
    if (md == 0) return std::nullopt;
    int second = 0;
    if (sc.take(':')) {
        auto [s, sd] = sc.number(2);
        if (sd == 0) return std::nullopt;
        second = s;
    }
    int zone = 0;
    char c = sc.peek();
    if (c == '+' || c == '-') {
        sc.take(c);
        auto [hhmm, zd] = sc.number(4);
        if (zd != 4 || hhmm % 100 > 59) return std::nullopt;
        zone = (hhmm / 100) * 60 + hhmm % 100;
        if (c == '-') zone = -zone;
    } else if (is_alpha(c)) {
        zone = named_zone(sc.word());
    }
    if (!valid(year, month, day, hour, minute, second)) return std::nullopt;
    return DateTime{to_utc(year, month, day, hour, minute, second, zone), zone};
}

CivilDate local_date(const DateTime& t) {
    std::int64_t local = t.utc + std::int64_t(t.zone_minutes) * 60;
    std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    return civil_from_days(days);
}

std::string format_imap_datetime(const DateTime& t) {
    std::int64_t local = t.utc + std::int64_t(t.zone_minutes) * 60;
    std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    std::int64_t secs = local - days * 86400;
    CivilDate d = civil_from_days(days);
    int zone = t.zone_minutes < 0 ? -t.zone_minutes : t.zone_minutes;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%2d-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day,
                  kMonths[std::size_t(d.month - 1)].data(), d.year, int(secs / 3600),
                  int(secs / 60 % 60), int(secs % 60), t.zone_minutes < 0 ? '-' : '+', zone / 60,
                  zone % 60);
    return buf;
}

namespace {

// "d-Mon-yyyy" at the start of s (day "1", "01" or " 1"); advances s.
std::optional<CivilDate> take_imap_date(std::string_view& s) {
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    int day = 0, n = 0;
    while (n < static_cast<int>(s.size()) && n < 2 && is_digit(s[std::size_t(n)]))
        day = day * 10 + (s[std::size_t(n++)] - '0');
    if (n == 0 || s.size() < std::size_t(n) + 1 + 3 + 1 + 4) return std::nullopt;
    s.remove_prefix(std::size_t(n));
    if (s[0] != '-') return std::nullopt;
    int month = month_number(s.substr(1, 3));
    if (month == 0 || s[4] != '-') return std::nullopt;
    int year = 0;
    for (std::size_t i = 5; i < 9; ++i) {
        if (!is_digit(s[i])) return std::nullopt;
        year = year * 10 + (s[i] - '0');
    }
    s.remove_prefix(9);
    if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
    return CivilDate{year, month, day};
}

// Exactly `digits` digits at the start of s; advances s.
std::optional<int> take_fixed(std::string_view& s, std::size_t digits) {
    if (s.size() < digits) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        if (!is_digit(s[i])) return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    s.remove_prefix(digits);
    return v;
}

bool take_char(std::string_view& s, char c) {
    if (s.empty() || s[0] != c) return false;
    s.remove_prefix(1);
    return true;
}

}  // namespace

std::optional<DateTime> parse_imap_datetime(std::string_view text) {
    std::string_view s = strip_quotes(text);
    auto d = take_imap_date(s);
    if (!d || !take_char(s, ' ')) return std::nullopt;
    auto h = take_fixed(s, 2);
    if (!h || !take_char(s, ':')) return std::nullopt;
    auto m = take_fixed(s, 2);
    if (!m || !take_char(s, ':')) return std::nullopt;
    auto sec = take_fixed(s, 2);
    if (!sec || !take_char(s, ' ') || s.empty()) return std::nullopt;
    char sign = s[0];
    s.remove_prefix(1);
    auto z = take_fixed(s, 4);
    if ((sign != '+' && sign != '-') || !z || !s.empty() || *z % 100 > 59) return std::nullopt;
    if (!valid(d->year, d->month, d->day, *h, *m, *sec)) return std::nullopt;
    int zone = (*z / 100) * 60 + *z % 100;
    if (sign == '-') zone = -zone;
    return DateTime{to_utc(d->year, d->month, d->day, *h, *m, *sec, zone), zone};
}

std::optional<CivilDate> parse_imap_date(std::string_view text) {
    std::string_view s = strip_quotes(text);
    if (!s.empty() && s[0] == ' ') return std::nullopt;  // date-day is not padded
    auto d = take_imap_date(s);
    if (!d || !s.empty()) return std::nullopt;
    return d;
}

}  // namespace mail
