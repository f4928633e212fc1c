#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "message/date.hpp"

using namespace mail;

namespace {
constexpr std::int64_t k2001 = 978307200;  // 2001-01-01 00:00:00 UTC
constexpr std::int64_t kJun3 = 1717409700;  // 2024-06-03 10:15:00 UTC
}  // namespace

TEST_CASE("parse_rfc5322_date", "[rfc5322]") {
    struct Case {
        std::string input;
        std::optional<DateTime> expected;
    };
    const std::vector<Case> cases = {
        {"Mon, 1 Jan 2001 00:00:00 +0000", DateTime{k2001, 0}},
        {"Mon, 03 Jun 2024 12:15:00 +0200", DateTime{kJun3, 120}},
        {"3 Jun 2024 05:15:00 -0500", DateTime{kJun3, -300}},  // no day of week
        {"Mon, 3 Jun 2024 12:15 +0200", DateTime{kJun3, 120}},  // no seconds
        {"  Mon ,  3   Jun   2024  12 : 15 : 00   +0200  ", DateTime{kJun3, 120}},
        {"Mon, 3 Jun 2024 12:15:00 +0200 (CEST)", DateTime{kJun3, 120}},
        {"(comment) Mon, (c) 3 Jun (x) 2024 12:15:00 +0200", DateTime{kJun3, 120}},
        {"mon, 3 JUN 2024 12:15:00 +0200", DateTime{kJun3, 120}},
        {"Monday, 3 June 2024 12:15:00 +0200", DateTime{kJun3, 120}},
        // obsolete zones
        {"Mon, 3 Jun 2024 10:15:00 GMT", DateTime{kJun3, 0}},
        {"Mon, 3 Jun 2024 10:15:00 UT", DateTime{kJun3, 0}},
        {"Mon, 3 Jun 2024 06:15:00 EDT", DateTime{kJun3, -240}},
        {"Mon, 3 Jun 2024 05:15:00 EST", DateTime{kJun3, -300}},
        {"Mon, 3 Jun 2024 03:15:00 PDT", DateTime{kJun3, -420}},
        {"Mon, 3 Jun 2024 02:15:00 PST", DateTime{kJun3, -480}},
        {"Mon, 3 Jun 2024 04:15:00 CST", DateTime{kJun3, -360}},
        {"Mon, 3 Jun 2024 03:15:00 MST", DateTime{kJun3, -420}},
        {"Mon, 3 Jun 2024 10:15:00 Z", DateTime{kJun3, 0}},  // military: -0000
        {"Mon, 3 Jun 2024 10:15:00 A", DateTime{kJun3, 0}},
        {"Mon, 3 Jun 2024 10:15:00", DateTime{kJun3, 0}},  // no zone
        // 2- and 3-digit years (RFC 5322 4.3)
        {"1 Jan 01 00:00:00 +0000", DateTime{k2001, 0}},
        {"1 Jan 101 00:00:00 +0000", DateTime{k2001, 0}},
        {"31 Dec 49 23:59 +0000", DateTime{2524607940, 0}},
        {"15 Jun 50 08:00:00 +0000", DateTime{-616867200, 0}},
        {"31 Dec 99 23:59:59 +0000", DateTime{946684799, 0}},
        {"Thu, 29 Feb 2024 10:15:00 +0000", DateTime{1709201700, 0}},
        {"1 Jan 1970 00:00:00 +0100", DateTime{-3600, 60}},
        {"1-Jan-2001 00:00:00 +0000", DateTime{k2001, 0}},
        // not dates
        {"", std::nullopt},
        {"second", std::nullopt},
        {"Mon, 32 Jan 2001 00:00:00 +0000", std::nullopt},
        {"Mon, 29 Feb 2023 00:00:00 +0000", std::nullopt},
        {"Mon, 1 Foo 2001 00:00:00 +0000", std::nullopt},
        {"Mon, 1 Jan 2001 24:00:00 +0000", std::nullopt},
        {"Mon, 1 Jan 2001 00:60:00 +0000", std::nullopt},
        {"Mon, 1 Jan 2001", std::nullopt},
        {"Mon, 1 Jan 2001 00:00:00 +00", std::nullopt},
        {"Mon, 1 Jan 2001 00:00:00 +0075", std::nullopt},
        {"Mon, 1 Jan 2 00:00:00 +0000", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        auto got = parse_rfc5322_date(c.input);
        CHECK(got.has_value() == c.expected.has_value());
        if (got && c.expected) {
            CHECK(got->utc == c.expected->utc);
            CHECK(got->zone_minutes == c.expected->zone_minutes);
        }
    }
}

TEST_CASE("format_imap_datetime", "[rfc5322]") {
    struct Case {
        DateTime t;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{k2001, 0}, " 1-Jan-2001 00:00:00 +0000"},
        {{kJun3, 120}, " 3-Jun-2024 12:15:00 +0200"},
        {{kJun3, -300}, " 3-Jun-2024 05:15:00 -0500"},
        {{kJun3, -570}, " 3-Jun-2024 00:45:00 -0930"},
        {{kJun3, -660}, " 2-Jun-2024 23:15:00 -1100"},
        {{760106096, 0}, " 1-Feb-1994 12:34:56 +0000"},  // date-day-fixed: space-padded
        {{-3600, 0}, "31-Dec-1969 23:00:00 +0000"},
        {{1709201700, 0}, "29-Feb-2024 10:15:00 +0000"},
    };
    for (const auto& c : cases) {
        INFO(c.expected);
        CHECK(format_imap_datetime(c.t) == c.expected);
        // and back
        auto back = parse_imap_datetime(c.expected);
        REQUIRE(back);
        CHECK(*back == c.t);
    }
}

TEST_CASE("parse_imap_datetime", "[rfc5322]") {
    struct Case {
        std::string input;
        std::optional<DateTime> expected;
    };
    const std::vector<Case> cases = {
        {"\" 3-Jun-2024 12:15:00 +0200\"", DateTime{kJun3, 120}},
        {"03-Jun-2024 12:15:00 +0200", DateTime{kJun3, 120}},
        {"3-jun-2024 12:15:00 +0200", DateTime{kJun3, 120}},
        {"3-Jun-2024 12:15 +0200", std::nullopt},
        {"3-Jun-2024 12:15:00", std::nullopt},
        {"3-Jun-24 12:15:00 +0200", std::nullopt},
        {"31-Jun-2024 12:15:00 +0200", std::nullopt},
        {"3-Jun-2024 12:15:00 +0200 ", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(parse_imap_datetime(c.input) == c.expected);
    }
}

TEST_CASE("parse_imap_date", "[rfc5322]") {
    struct Case {
        std::string input;
        std::optional<CivilDate> expected;
    };
    const std::vector<Case> cases = {
        {"1-Feb-1994", CivilDate{1994, 2, 1}},
        {"01-Feb-1994", CivilDate{1994, 2, 1}},
        {"\"1-Feb-1994\"", CivilDate{1994, 2, 1}},
        {"29-feb-2024", CivilDate{2024, 2, 29}},
        {"29-Feb-2023", std::nullopt},
        {"1-Feb-94", std::nullopt},
        {"1 Feb 1994", std::nullopt},
        {"1-Feb-1994x", std::nullopt},
        {"\"1-Feb-1994", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(parse_imap_date(c.input) == c.expected);
    }
}

TEST_CASE("civil dates round-trip and local_date", "[rfc5322]") {
    for (std::int64_t d = -800000; d <= 800000; d += 997) {
        CivilDate c = civil_from_days(d);
        CHECK(days_from_civil(c.year, c.month, c.day) == d);
    }
    CHECK(local_date(DateTime{kJun3, -660}) == CivilDate{2024, 6, 2});
    CHECK(local_date(DateTime{kJun3, 0}) == CivilDate{2024, 6, 3});
    CHECK(local_date(DateTime{-1, 0}) == CivilDate{1969, 12, 31});
}
