#include "drivers/unix/from_line.hpp"

#include <time.h>

#include <cstdio>
#include <cstring>

#include "message/date.hpp"

namespace mail::unixmbox {

namespace {

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // from 1970-01-01

// The line seen as UW's pointer arithmetic sees it, but bounds-checked:
// characters outside the line read as NUL.
struct Line {
    std::string_view s;
    long end;  // UW's x, as an index
    char at(long i) const { return i >= 0 && i < static_cast<long>(s.size()) ? s[static_cast<size_t>(i)] : '\0'; }
    char x(long off) const { return at(end + off); }
};

bool digit(char c) { return c >= '0' && c <= '9'; }
int two(char a, char b) { return (digit(a) ? a - '0' : 0) * 10 + (digit(b) ? b - '0' : 0); }

int zone_of_name(std::string_view z, bool& known) {
    static const struct { const char* name; int minutes; } kZones[] = {
        {"UT", 0}, {"GMT", 0}, {"UTC", 0}, {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
        {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"BST", 60}, {"CET", 60},
        {"CEST", 120}, {"MET", 60}, {"EET", 120}, {"JST", 540}};
    for (const auto& zone : kZones)
        if (z == zone.name) {
            known = true;
            return zone.minutes;
        }
    known = false;
    return 0;
}

// The local zone's offset for a wall-clock time, as c-client's "LCL".
int local_zone_minutes(int64_t wall_as_utc) {
    time_t t = static_cast<time_t>(wall_as_utc);
    struct tm tm;
    ::gmtime_r(&t, &tm);
    tm.tm_isdst = -1;
    time_t real = ::mktime(&tm);
    struct tm local;
    ::localtime_r(&real, &local);
    return static_cast<int>(local.tm_gmtoff / 60);
}

}  // namespace

std::optional<FromLineDate> parse_from_line(std::string_view text) {
    if (text.size() < 5 || text.substr(0, 5) != "From ") return std::nullopt;
    Line l{text, static_cast<long>(text.size())};
    long ti = 0, zn = 0;
    if (l.end >= 41) {  // " remote from xxx" after the date
        for (zn = -1; l.x(zn) != ' ' && l.end + zn > 0; zn--) {}
        if (l.x(zn - 1) == 'm' && l.x(zn - 2) == 'o' && l.x(zn - 3) == 'r' && l.x(zn - 4) == 'f' &&
            l.x(zn - 5) == ' ' && l.x(zn - 6) == 'e' && l.x(zn - 7) == 't' && l.x(zn - 8) == 'o' &&
            l.x(zn - 9) == 'm' && l.x(zn - 10) == 'e' && l.x(zn - 11) == 'r' && l.x(zn - 12) == ' ')
            l.end += zn - 12;
        zn = 0;
    }
    if (l.end < 27) return std::nullopt;
    if (l.x(-5) == ' ') {  // ends with the year
        if (l.x(-8) == ':') zn = 0, ti = -5;
        else if (l.x(-9) == ' ') ti = zn = -9;
        else if (l.x(-11) == ' ' && (l.x(-10) == '+' || l.x(-10) == '-')) ti = zn = -11;
    } else if (l.x(-4) == ' ') {  // ends with a three-letter zone
        if (l.x(-9) == ' ') zn = -4, ti = -9;
    } else if (l.x(-6) == ' ') {  // ends with a numeric zone
        if (l.x(-11) == ' ' && (l.x(-5) == '+' || l.x(-5) == '-')) zn = -6, ti = -11;
    }
    if (!ti) return std::nullopt;
    if (l.x(ti - 3) != ':') return std::nullopt;
    ti -= (l.x(ti - 6) == ':') ? 9 : 6;
    if (!(l.x(ti) == ' ' && l.x(ti - 3) == ' ' && l.x(ti - 7) == ' ' && l.x(ti - 11) == ' ')) return std::nullopt;

    // The date, read as UW's unix_parse reads it.
    int day = two(l.x(ti - 2), l.x(ti - 1));
    char mon[4] = {l.x(ti - 6), l.x(ti - 5), l.x(ti - 4), 0};
    int hour = two(l.x(ti + 1), l.x(ti + 2));
    int minute = two(l.x(ti + 4), l.x(ti + 5));
    int second = 0;
    ti += 6;
    if (l.x(ti) == ':') {
        second = two(l.x(ti + 1), l.x(ti + 2));
        ti += 3;
    }
    if (zn == ti) ti += (l.x(zn + 1) == '+' || l.x(zn + 1) == '-') ? 6 : 4;
    int year = two(l.x(ti + 1), l.x(ti + 2)) * 100 + two(l.x(ti + 3), l.x(ti + 4));
    int month = 0;
    for (int m = 0; m < 12; ++m)
        if (strncasecmp(mon, kMonths[m], 3) == 0) month = m + 1;
    if (!month || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    int64_t wall = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;

    int zone = 0;
    bool known = false;
    if (zn) {
        char sign = l.x(zn + 1);
        if (sign == '+' || sign == '-') {
            int hh = two(l.x(zn + 2), l.x(zn + 3)), mm = two(l.x(zn + 4), l.x(zn + 5));
            zone = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
            known = true;
        } else {
            std::string name{l.x(zn + 1), l.x(zn + 2), l.x(zn + 3)};
            zone = zone_of_name(name, known);
        }
    }
    if (!known) zone = local_zone_minutes(wall);
    return FromLineDate{wall - zone * 60, zone};
}

std::string format_from_line(std::string_view sender, int64_t utc, int32_t zone_minutes) {
    int64_t wall = utc + int64_t{zone_minutes} * 60;
    int64_t days = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
    int64_t secs = wall - days * 86400;
    CivilDate d = civil_from_days(days);
    int weekday = static_cast<int>(((days % 7) + 7) % 7);
    int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s %s %2d %02d:%02d:%02d %4d %c%02d%02d", kDays[weekday], kMonths[d.month - 1],
                  d.day, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                  d.year, zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
    return "From " + std::string(sender) + buf;
}

}  // namespace mail::unixmbox
