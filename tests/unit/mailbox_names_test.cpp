// Mailbox names at the protocol edge (RFC 6855): UTF-8 on the wire after
// ENABLE UTF8=ACCEPT, modified UTF-7 in the store.
#include <catch2/catch.hpp>

#include <string>

#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/mailbox_names.hpp"

using namespace mail::imapd;

TEST_CASE("names from a UTF-8 client are stored as modified UTF-7", "[utf8]") {
    struct Case {
        std::string wire, stored;
    };
    const Case cases[] = {
        {"INBOX", "INBOX"},
        {"Entwürfe", "Entw&APw-rfe"},
        {"日本語", "&ZeVnLIqe-"},
        {"Ärger & Co", "&AMQ-rger &- Co"},
        {"&AOQ-", "&-AOQ-"},  // UTF-8 mode: "&" is itself, not a shift
        {"a/ü/b", "a/&APw-/b"},
        {"😀", "&2D3eAA-"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.wire);
        CHECK(mailbox_name_from_wire(c.wire, true) == c.stored);
        CHECK(mailbox_name_to_wire(c.stored, true) == c.wire);
        // Without UTF8=ACCEPT nothing is converted either way.
        CHECK(mailbox_name_from_wire(c.stored, false) == c.stored);
        CHECK(mailbox_name_to_wire(c.stored, false) == c.stored);
    }
}

TEST_CASE("invalid UTF-8 names and patterns are BAD once UTF-8 is on", "[utf8]") {
    const std::string bad[] = {
        "bad\xff", "x\xc3", "\xc0\xaf", "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80" /* > U+10FFFF */,
        "\xe2\x82" /* truncated */,
    };
    for (const std::string& name : bad) {
        CAPTURE(name);
        CHECK_THROWS_AS(mailbox_name_from_wire(name, true), ParseError);
        CHECK_THROWS_AS(mailbox_pattern_from_wire(name + "*", true), ParseError);
        CHECK(mailbox_name_from_wire(name, false) == name);  // left to the Store, as before
        CHECK(mailbox_pattern_from_wire(name, false) == name);
    }
    CHECK(mailbox_pattern_from_wire("日*%", true) == "日*%");
}

TEST_CASE("names are written as atoms, UTF-8 quoted strings or literals", "[utf8]") {
    struct Case {
        std::string stored;
        bool utf8;
        std::string expected;
    };
    const Case cases[] = {
        {"INBOX", true, "INBOX"},
        {"Entw&APw-rfe", false, "Entw&APw-rfe"},
        {"Entw&APw-rfe", true, "\"Entwürfe\""},
        {"&AMQ-rger &- Co", true, "\"Ärger & Co\""},
        {"&AMQ-rger &- Co", false, "\"&AMQ-rger &- Co\""},
        {"a&-b", true, "a&b"},
        {"&AOQ-\"q\\", true, "\"ä\\\"q\\\\\""},
        {"&ANw", true, "&ANw"},  // not valid modified UTF-7: sent as stored
    };
    for (const Case& c : cases) {
        CAPTURE(c.stored, c.utf8);
        CHECK(mailbox_wire_astring(c.stored, c.utf8) == c.expected);
    }
}
