// The unix driver's pending-flags file (lazy flag writes): format and parse
// round-trip, and damaged or truncated files rejected.
#include <catch2/catch.hpp>

#include "drivers/unix/pending_flags.hpp"
#include "mailbox/types.hpp"

using namespace mail;
using namespace mail::unixmbox;

TEST_CASE("pending flags round-trip", "[store-perf]") {
    PendingFlags p;
    p.uidvalidity = 1700000000;
    p.since = 1700000123;
    p.by_uid[1] = PendingFlag{kSeen | kFlagged, {}};
    p.by_uid[7] = PendingFlag{0, {"$Work", "Junk"}};
    p.by_uid[4000000000u] = PendingFlag{kDeleted, {"x"}};
    std::string text = format_pending(p);
    CHECK(text ==
          "imapd-unix-flags 1 1700000000 1700000123\n"
          "1 " + std::to_string(kSeen | kFlagged) + "\n"
          "7 0 $Work Junk\n"
          "4000000000 " + std::to_string(kDeleted) + " x\n"
          "end 3\n");
    auto back = parse_pending(text);
    REQUIRE(back);
    CHECK(*back == p);
    PendingFlags empty{5, 6, {}};
    CHECK(parse_pending(format_pending(empty)) == empty);
}

TEST_CASE("pending flags: damaged files are rejected", "[store-perf]") {
    struct Case {
        const char* text;
        bool ok;
    } cases[] = {
        {"imapd-unix-flags 1 5 6\n1 2\nend 1\n", true},
        {"imapd-unix-flags 1 5 6\n1 2\n", false},               // cut before the end line
        {"imapd-unix-flags 1 5 6\n1 2\nend 2\n", false},        // wrong count
        {"imapd-unix-flags 1 5 6\n1 2\nend 1", false},          // no final newline
        {"imapd-unix-flags 2 5 6\nend 0\n", false},             // other version
        {"imapd-unix-flags 1 5\nend 0\n", false},               // missing since
        {"imapd-unix-flags 1 5 6\n0 2\nend 1\n", false},        // UID 0
        {"imapd-unix-flags 1 5 6\n1 x\nend 1\n", false},        // bad flags
        {"imapd-unix-flags 1 5 6\n1 2\n1 3\nend 2\n", false},   // UID twice
        {"imapd-unix-flags 1 5 6\n1 2  k\nend 1\n", false},     // empty keyword
        {"imapd-unix-flags 1 5 6\nend 0\n1 2\n", false},        // after the end
        {"", false},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        CHECK(parse_pending(c.text).has_value() == c.ok);
    }
}
