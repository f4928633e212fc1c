#include "imapd/protocol/datetime.hpp"

#include <array>
#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

int digits(std::string_view text, size_t& pos, size_t min, size_t max, const char* what) {
    int v = 0;
    size_t n = 0;
    while (pos < text.size() && n < max && text[pos] >= '0' && text[pos] <= '9') {
        v = v * 10 + (text[pos++] - '0');
        ++n;
    }
    if (n < min) throw ParseError(std::string("Invalid date: bad ") + what);
    return v;
}

void expect(std::string_view text, size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) throw ParseError("Invalid date: bad separator");
    ++pos;
}

// day "-" month "-" year, validated.
int64_t parse_day_month_year(std::string_view text, size_t& pos) {
    int day = digits(text, pos, 1, 2, "day");
    expect(text, pos, '-');
    if (pos + 3 > text.size()) throw ParseError("Invalid date: bad month");
    int month = 0;
    for (size_t i = 0; i < kMonths.size(); ++i)
        if (strncasecmp(text.data() + pos, kMonths[i], 3) == 0) month = static_cast<int>(i) + 1;
    if (month == 0) throw ParseError("Invalid date: bad month");
    pos += 3;
    expect(text, pos, '-');
    int year = digits(text, pos, 4, 4, "year");
    if (year < 1 || day < 1 || day > days_in_month(year, month))
        throw ParseError("Invalid date: no such day");
    return days_from_civil(year, month, day);
}

}  // namespace

int64_t days_from_civil(int y, int m, int d) {
    // H. Hinnant's algorithm.
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t parse_date(std::string_view text) {
    size_t pos = 0;
    int64_t days = parse_day_month_year(text, pos);
    if (pos != text.size()) throw ParseError("Invalid date: trailing characters");
    return days;
}

DateTime parse_date_time(std::string_view text) {
    size_t pos = 0;
    if (!text.empty() && text[0] == ' ') ++pos;  // date-day-fixed: SP DIGIT
    int64_t days = parse_day_month_year(text, pos);
    expect(text, pos, ' ');
    int h = digits(text, pos, 2, 2, "time");
    expect(text, pos, ':');
    int mi = digits(text, pos, 2, 2, "time");
    expect(text, pos, ':');
    int s = digits(text, pos, 2, 2, "time");
    expect(text, pos, ' ');
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-'))
        throw ParseError("Invalid date: bad zone");
    int sign = text[pos++] == '-' ? -1 : 1;
    int zone = digits(text, pos, 4, 4, "zone");
    if (pos != text.size()) throw ParseError("Invalid date: trailing characters");
    if (h > 23 || mi > 59 || s > 60 || zone % 100 > 59) throw ParseError("Invalid date: bad time");
    int32_t zone_minutes = sign * ((zone / 100) * 60 + zone % 100);
    DateTime dt;
    dt.zone_minutes = zone_minutes;
    dt.time = days * 86400 + h * 3600 + mi * 60 + s - int64_t{zone_minutes} * 60;
    return dt;
}

}  // namespace mail::imapd
