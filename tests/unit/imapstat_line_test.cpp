#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "tools/imapstat/log_line.hpp"
#include "tools/imapstat/options.hpp"

using namespace mail::imapstat;

namespace {

const std::string kBody =
    "session end: user=fred host=192.0.2.7 connect=2025-11-25T23:04:35Z duration=12.345 "
    "utime=0.012 stime=0.004 maxrss=4096 minflt=210 majflt=1 nvcsw=12 nivcsw=3 in=1234 "
    "out=56789";

// Time zone fixed for the year-less syslog stamps (local time).
struct Utc {
    Utc() {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

}  // namespace

TEST_CASE("imapstat reads session-end lines behind each log prefix", "[imapstat]") {
    Utc utc;
    const std::time_t ref = utc_seconds(2025, 11, 30, 0, 0, 0);
    struct Case {
        std::string line;
        LineKind kind;
        std::time_t logged;
    };
    const std::time_t end = utc_seconds(2025, 11, 25, 23, 4, 48);
    const Case cases[] = {
        {"Nov 25 23:04:48 mailhost imapd[42]: " + kBody, LineKind::Session, end},
        {"Nov 25 23:04:48 mailhost imapd: " + kBody, LineKind::Session, end},
        {"Nov  5 23:04:48 mailhost imapd[42]: " + kBody, LineKind::Session,
         utc_seconds(2025, 11, 5, 23, 4, 48)},
        {"2025-11-25T23:04:48.123456+00:00 mailhost imapd[42]: " + kBody, LineKind::Session, end},
        {"2025-11-26T00:04:48+01:00 mailhost imapd[42]: " + kBody, LineKind::Session, end},
        {"2025-11-25T18:04:48-05:00 mailhost imapd[42]: " + kBody, LineKind::Session, end},
        {"2025-11-25T23:04:48Z imapd[42]: " + kBody, LineKind::Session, end},
        {"Nov 25 23:04:48 mailhost imapd[42]: " + kBody + "\r", LineKind::Session, end},
        // Not ours: other programs, other imapd lines.
        {"Nov 25 23:04:48 mailhost postfix/local[9]: 3ACD: to=<u@x>, status=sent", LineKind::Other, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: login: user=fred host=x", LineKind::Other, 0},
        {"Nov 25 23:04:48 mailhost sshd[42]: " + kBody, LineKind::Other, 0},
        {"", LineKind::Other, 0},
        // Ours but damaged.
        {"Nov 25 23:04:48 mailhost imapd[42]: " + kBody.substr(0, 60), LineKind::Malformed, 0},
        {"Foo 25 23:04:48 mailhost imapd[42]: " + kBody, LineKind::Malformed, 0},
        {"Nov 25 25:04:48 mailhost imapd[42]: " + kBody, LineKind::Malformed, 0},
        {"2025-13-25T23:04:48Z imapd[42]: " + kBody, LineKind::Malformed, 0},
        {"2025-11-25T23:04:48+0100 imapd[42]: " + kBody, LineKind::Malformed, 0},
        {"2025-11-25 imapd[42]: " + kBody, LineKind::Malformed, 0},
        {kBody, LineKind::Malformed, 0},
        {"garbage" + kBody, LineKind::Malformed, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: " +
             std::string(kBody).replace(kBody.find("duration=12.345"), 15, "duration=-1"),
         LineKind::Malformed, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: " +
             std::string(kBody).replace(kBody.find("duration=12.345"), 15, "duration=nan"),
         LineKind::Malformed, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: " +
             std::string(kBody).replace(kBody.find("minflt=210"), 10, "minflt=-21"),
         LineKind::Malformed, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: " +
             std::string(kBody).replace(kBody.find("2025-11-25T23"), 13, "1970-01-01T00"),
         LineKind::Malformed, 0},
        {"Nov 25 23:04:48 mailhost imapd[42]: " + kBody + " extra=1", LineKind::Malformed, 0},
    };
    for (const auto& c : cases) {
        INFO(c.line);
        LogLine l = parse_log_line(c.line, ref);
        CHECK(l.kind == c.kind);
        if (c.kind == LineKind::Session) {
            CHECK(l.logged == c.logged);
            CHECK(l.session.user == "fred");
            CHECK(l.session.host == "192.0.2.7");
            CHECK(l.session.connect == utc_seconds(2025, 11, 25, 23, 4, 35));
            CHECK(l.session.duration == Approx(12.345));
            CHECK(l.session.majflt == 1);
            CHECK(l.session.bytes_out == 56789);
        }
    }
}

TEST_CASE("imapstat gives syslog stamps the year of the file, December before a January file",
          "[imapstat]") {
    Utc utc;
    struct Case {
        const char* stamp;
        std::time_t reference;
        std::time_t expected;
    };
    const Case cases[] = {
        {"Nov 25 23:04:48", utc_seconds(2025, 11, 30, 0, 0, 0), utc_seconds(2025, 11, 25, 23, 4, 48)},
        {"Dec 31 23:59:59", utc_seconds(2026, 1, 2, 6, 0, 0), utc_seconds(2025, 12, 31, 23, 59, 59)},
        {"Jan  1 00:00:01", utc_seconds(2026, 1, 2, 6, 0, 0), utc_seconds(2026, 1, 1, 0, 0, 1)},
        // A day of slack for a clock a little ahead of the file's mtime.
        {"Jan  3 01:00:00", utc_seconds(2026, 1, 2, 6, 0, 0), utc_seconds(2026, 1, 3, 1, 0, 0)},
        {"Feb 10 00:00:00", utc_seconds(2026, 1, 2, 6, 0, 0), utc_seconds(2025, 2, 10, 0, 0, 0)},
    };
    for (const auto& c : cases) {
        INFO(c.stamp);
        auto t = parse_syslog_stamp(c.stamp, c.reference);
        REQUIRE(t);
        CHECK(*t == c.expected);
    }
    for (const char* bad : {"Nov 25 23:04", "Nov 32 23:04:48", "nov 25 23:04:48", "Nov 25 23:60:48",
                            "Nov 2x 23:04:48", "Nov 25 23:04:48 "})
        CHECK_FALSE(parse_syslog_stamp(bad, 0));
}

TEST_CASE("imapstat civil time to epoch", "[imapstat]") {
    CHECK(utc_seconds(1970, 1, 1, 0, 0, 0) == 0);
    CHECK(utc_seconds(2000, 3, 1, 0, 0, 0) == 951868800);
    CHECK(utc_seconds(2025, 11, 25, 23, 4, 35) == 1764111875);
}

TEST_CASE("imapstat command line and dates", "[imapstat]") {
    Utc utc;
    std::string err;
    auto o = parse_options({"--since", "2025-11-01", "--until", "2025-11-30", "--csv", "--top", "3",
                            "a.log", "-", "b.log.gz"},
                           err);
    REQUIRE(o);
    CHECK(*o->since == utc_seconds(2025, 11, 1, 0, 0, 0));
    CHECK(*o->until == utc_seconds(2025, 12, 1, 0, 0, 0));  // the whole of the 30th
    CHECK(o->format == Format::Csv);
    CHECK(o->top == 3);
    CHECK(o->files == std::vector<std::string>{"a.log", "-", "b.log.gz"});

    CHECK(*parse_date("2025-11-25T10:30", false) == utc_seconds(2025, 11, 25, 10, 30, 0));
    CHECK(*parse_date("2025-11-25 10:30:05", false) == utc_seconds(2025, 11, 25, 10, 30, 5));
    CHECK(*parse_date("2025-11-25T10:30:05+01:00", false) == utc_seconds(2025, 11, 25, 9, 30, 5));
    CHECK(*parse_date("2025-11-25T10:30Z", false) == utc_seconds(2025, 11, 25, 10, 30, 0));
    for (const char* bad : {"2025-11", "2025-13-01", "25-11-2025", "2025-11-25T25:00",
                            "2025-11-25T10:30+1", "yesterday"})
        CHECK_FALSE(parse_date(bad, false));

    const std::vector<std::vector<std::string>> wrong = {
        {"--json", "--csv"}, {"--top", "0"}, {"--since"}, {"--bogus"},
        {"--since", "2025-11-02", "--until", "2025-11-01T00:00"}, {"--html"}};
    for (const auto& args : wrong) {
        err.clear();
        CHECK_FALSE(parse_options(args, err));
        CHECK_FALSE(err.empty());
    }
}
