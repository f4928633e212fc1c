// Berkeley mbox format: separators, status lines, pseudo-message, UID rules,
// hidden headers and sizes, append filtering. [unix]
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>

#include "drivers/unix/append_filter.hpp"
#include "drivers/unix/from_line.hpp"
#include "drivers/unix/scanner.hpp"
#include "drivers/unix/status_headers.hpp"
#include "drivers/unix/uid_rules.hpp"

using namespace mail;
using namespace mail::unixmbox;

TEST_CASE("From lines UW's VALID accepts", "[unix]") {
    struct { const char* line; bool valid; int64_t utc; } cases[] = {
        {"From user Wed Dec  2 05:53:22 1992 -0700", true, 723300802},
        {"From user Wed Dec  2 05:53:22 -0700 1992", true, 723300802},
        {"From user Wed Dec  2 05:53 -0700 1992", true, 723300780},
        {"From user Wed Dec  2 05:53:22 PST 1992", true, 723300802 + 3600},
        {"From user Wed Dec  2 05:53:22 1992 PST", true, 723300802 + 3600},
        {"From user@host Wed Dec  2 12:53:22 1992 +0000 remote from xyz", true, 723300802},
        {"From MAILER-DAEMON Wed Dec  2 12:53:22 1992 +0000", true, 723300802},
        {"From a b c Wed Dec  2 12:53:22 1992 +0000", true, 723300802},
        {"From here to there", false, 0},
        {"From user", false, 0},
        {"From: user Wed Dec  2 05:53:22 1992", false, 0},
        {">From user Wed Dec  2 05:53:22 1992", false, 0},
        {"From user Wed Dec  2 0553:22 1992 -0700", false, 0},
    };
    for (const auto& c : cases) {
        INFO(c.line);
        auto d = parse_from_line(c.line);
        CHECK(d.has_value() == c.valid);
        if (d && c.utc) CHECK(d->utc == c.utc);
    }
    // zone-less (procmail, Postfix) lines are valid, in local time
    CHECK(parse_from_line("From user@example.com  Wed Dec  2 05:53:22 1992").has_value());
}

TEST_CASE("format_from_line writes what parse_from_line reads", "[unix]") {
    std::string line = format_from_line("u@h", 723300802, -420);
    CHECK(line == "From u@h Wed Dec  2 05:53:22 1992 -0700");
    auto d = parse_from_line(line);
    REQUIRE(d);
    CHECK(d->utc == 723300802);
    CHECK(d->zone_minutes == -420);
}

TEST_CASE("status block as unix_xstatus writes it", "[unix]") {
    MailboxBase base{1234, 7, {"work", "todo"}};
    std::string s = format_status(kSeen | kDeleted | kAnswered, true, {"work"}, 5, &base);
    CHECK(s.rfind("X-IMAPbase: 1234 7 work todo\nStatus: RO\nX-Status: DA\nX-Keywords: work", 0) == 0);
    CHECK(s.find("\nX-UID: 5\n\n") != std::string::npos);
    // X-Keywords padded so that the block up to it is 80 characters
    CHECK(s.find("X-UID") == 81);
    std::string plain = format_status(0, false, {}, 3, nullptr);
    CHECK(plain == "Status: \nX-Status: \nX-Keywords:" + std::string(19, ' ') + "\nX-UID: 3\n\n");
}

TEST_CASE("hidden fields by name, any case", "[unix]") {
    CHECK(hidden_field("Status: RO\n") == HiddenField::Status);
    CHECK(hidden_field("x-status: D\n") == HiddenField::XStatus);
    CHECK(hidden_field("X-Keywords: a\n") == HiddenField::XKeywords);
    CHECK(hidden_field("X-UID: 4\n") == HiddenField::XUid);
    CHECK(hidden_field("X-IMAP: 1 2\n") == HiddenField::XImap);
    CHECK(hidden_field("X-IMAPbase: 1 2\n") == HiddenField::XImapBase);
    CHECK(hidden_field("Subject: Status: x\n") == HiddenField::None);
    CHECK(hidden_field("X-Statuses: x\n") == HiddenField::None);
}

namespace {
std::string piece(std::string_view data, const ScannedMessage& m) {
    std::string s;
    for (auto r : m.visible) s += data.substr(r.offset, r.length);
    return s;
}
}  // namespace

TEST_CASE("scanner: messages, hidden lines, sizes, separators", "[unix]") {
    std::string data =
        "\n"
        "From a@b Wed Dec  2 05:53:22 1992 -0700\n"
        "Subject: one\n"
        "Status: RO\n"
        "X-Status: F\n"
        "X-Keywords: work\n"
        "  continued\n"
        "X-UID: 9\n"
        "\n"
        "body\n"
        ">From quoted stays quoted\n"
        "From here is not a separator\n"
        "\n"
        "From c@d Thu Dec  3 05:53:22 1992 -0700\n"
        "Subject: two\r\n"
        "\r\n"
        "crlf\r\n";
    bool bad = true;
    auto msgs = scan_bytes(data, &bad);
    CHECK_FALSE(bad);
    REQUIRE(msgs.size() == 2);
    CHECK(piece(data, msgs[0]) ==
          "Subject: one\n\nbody\n>From quoted stays quoted\nFrom here is not a separator\n");
    CHECK(msgs[0].flags == (kSeen | kFlagged));
    CHECK(msgs[0].old);
    CHECK(msgs[0].keywords == std::vector<std::string>{"work"});
    CHECK(msgs[0].xuid == 9u);
    CHECK(msgs[0].size == piece(data, msgs[0]).size() + 5);  // five LFs become CRLF
    CHECK(piece(data, msgs[1]) == "Subject: two\r\n\r\ncrlf\r\n");
    CHECK(msgs[1].size == piece(data, msgs[1]).size());
    CHECK(!msgs[1].old);
}

TEST_CASE("scanner: garbage first is not an mbox", "[unix]") {
    bool bad = false;
    scan_bytes("Subject: x\n\nbody\n", &bad);
    CHECK(bad);
}

TEST_CASE("scanner: the pseudo-message and its base", "[unix]") {
    MailboxBase base{1111, 42, {"a", "b"}};
    std::string data = format_pseudo(base, 1700000000) + "From x Wed Dec  2 05:53:22 1992\nX-UID: 40\n\nhi\n\n";
    auto msgs = scan_bytes(data);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].pseudo);
    REQUIRE(msgs[0].base);
    CHECK(*msgs[0].base == base);
    UidState st;
    auto uids = assign_uids(msgs, true, st, nullptr);
    CHECK(uids == std::vector<Uid>{0, 40});
    CHECK(st.uidvalidity == 1111);
    CHECK(st.uid_last == 42);
}

TEST_CASE("UID rules: forged and out-of-order X-UIDs are renumbered", "[unix]") {
    auto msg = [](std::optional<uint64_t> xuid) {
        ScannedMessage m;
        m.xuid = xuid;
        return m;
    };
    struct Case {
        std::vector<std::optional<uint64_t>> xuids;
        std::vector<Uid> expected;
    } cases[] = {
        {{1, 2, 5}, {1, 2, 5}},                       // gaps below uid_last are fine
        {{1, 4000000000ull, std::nullopt}, {1, 11, 12}},  // forged huge one
        {{3, 2, 12}, {3, 11, 12}},  // backwards: renumbered; then 12 = last+1 is believed
        {{std::nullopt, std::nullopt, 11}, {11, 12, 13}},  // 11 not above the previous: renumbered
        {{1, 13}, {1, 11}},                           // more than one above last: forged
    };
    for (const auto& c : cases) {
        std::vector<ScannedMessage> msgs;
        msgs.push_back(ScannedMessage{});
        msgs[0].base = MailboxBase{77, 10, {}};
        msgs[0].pseudo = true;
        for (auto x : c.xuids) msgs.push_back(msg(x));
        UidState st;
        bool assigned = false;
        auto uids = assign_uids(msgs, true, st, &assigned);
        uids.erase(uids.begin());
        CHECK(uids == c.expected);
    }
    // without base data no X-UID is believed
    std::vector<ScannedMessage> msgs{msg(500), msg(501)};
    UidState st;
    CHECK(assign_uids(msgs, true, st, nullptr) == std::vector<Uid>{1, 2});
}

TEST_CASE("append filter: CRLF, From quoting, hidden headers renamed", "[unix]") {
    struct { std::vector<std::string> chunks; std::string expected; } cases[] = {
        {{"Subject: a\r\n\r\nFrom me\r\nx"}, "Subject: a\n\n>From me\nx\n"},
        {{"Sub", "ject: a\r", "\n\r\n", "Fr", "om me\r\n"}, "Subject: a\n\n>From me\n"},
        {{"X-UID: 99\nStatus: RO\nx-keywords: k\n\nStatus: body\n"},
         "X-Original-X-UID: 99\nX-Original-Status: RO\nX-Original-x-keywords: k\n\nStatus: body\n"},
        {{"a\rb\n"}, "a\rb\n"},
        {{"From x Wed Dec  2 05:53:22 1992\n\n"}, ">From x Wed Dec  2 05:53:22 1992\n\n"},
    };
    for (const auto& c : cases) {
        AppendFilter f;
        std::string out;
        for (const auto& chunk : c.chunks) f.feed(chunk, out);
        f.finish(out);
        CHECK(out == c.expected);
    }
}

TEST_CASE("pseudo-message: Date as UW's rfc822_fixed_date writes it (no weekday)", "[unix]") {
    struct Case {
        int64_t now;
        std::string date_utc;
    };
    const Case cases[] = {
        {1795651342, "26 Nov 2026 00:02:22 +0000"},
        {1700000000, "14 Nov 2023 22:13:20 +0000"},
        {0, "01 Jan 1970 00:00:00 +0000"},
    };
    const char* old_tz = std::getenv("TZ");
    std::string saved = old_tz ? old_tz : "";
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    for (const Case& c : cases) {
        std::string p = format_pseudo(MailboxBase{1, 0, {}}, c.now);
        size_t at = p.find("\nDate: ");
        REQUIRE(at != std::string::npos);
        at += 7;
        CHECK(p.substr(at, p.find('\n', at) - at) == c.date_utc);
    }
    if (old_tz) ::setenv("TZ", saved.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
}
