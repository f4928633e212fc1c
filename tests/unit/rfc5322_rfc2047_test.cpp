#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "message/charset.hpp"
#include "message/rfc2047.hpp"

using namespace mail;

TEST_CASE("decode_rfc2047", "[rfc5322]") {
    struct Case {
        std::string input, expected;
    };
    const std::vector<Case> cases = {
        {"plain text", "plain text"},
        {"=?utf-8?Q?J=C3=B6rg?=", "J\xc3\xb6rg"},
        {"=?UTF-8?q?a_b?=", "a b"},
        {"=?utf-8?B?dGVzdA==?=", "test"},
        {"=?utf-8?b?dGVzdA?=", "test"},  // padding missing
        {"=?iso-8859-1?Q?caf=E9?=", "caf\xc3\xa9"},
        {"=?windows-1252?Q?=80?=", "\xe2\x82\xac"},
        {"=?koi8-r?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},
        // whitespace between adjacent encoded words is dropped, folding too
        {"=?utf-8?q?one?= =?utf-8?q?two?=\r\n =?utf-8?b?dGhyZWU=?=", "onetwothree"},
        // ...but not between an encoded word and text
        {"=?utf-8?Q?a?= b =?utf-8?Q?c?=", "a b c"},
        {"Re: =?utf-8?Q?x?= end", "Re: x end"},
        // a character split across two words survives
        {"=?utf-8?B?w6k=?= =?utf-8?B?w6k=?=", "\xc3\xa9\xc3\xa9"},
        {"=?utf-8?Q?=C3?= =?utf-8?Q?=A9?=", "\xc3\xa9"},
        // RFC 2231 language suffix
        {"=?utf-8*en?Q?hello?=", "hello"},
        // malformed words are left as they are
        {"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
        {"=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"},
        {"=??Q?x?=", "=??Q?x?="},
        {"=?utf-8?Q?has space?=", "=?utf-8?Q?has space?="},
        {"a =? b ?= c", "a =? b ?= c"},
        // bad Q escapes are kept
        {"=?utf-8?Q?100=ZZ?=", "100=ZZ"},
        // raw 8-bit text: valid UTF-8 kept, invalid bytes become U+FFFD
        // (as Dovecot's SEARCH does: "J\xe9r" matches "J\uFFFDr")
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"J\xe9r\xf4me", "J\xef\xbf\xbdr\xef\xbf\xbdme"},
        // unknown charset: the decoded bytes as UTF-8, invalid ones replaced
        // (Dovecot drops such words from SEARCH text; keeping them is kinder)
        {"=?x-unknown?Q?caf=E9?=", "caf\xef\xbf\xbd"},
        // invalid bytes in a known charset
        {"=?utf-8?Q?a=FFb?=", "a\xef\xbf\xbd" "b"},
        {"", ""},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(decode_rfc2047(c.input) == c.expected);
    }
}

TEST_CASE("charset_to_utf8", "[rfc5322]") {
    CHECK(charset_to_utf8("ISO-8859-1", "\xe9") == std::optional<std::string>("\xc3\xa9"));
    CHECK(charset_to_utf8("latin1", "a\xff") == std::optional<std::string>("a\xc3\xbf"));
    CHECK(charset_to_utf8("utf-8", "ok\xc3") == std::optional<std::string>("ok\xef\xbf\xbd"));
    CHECK(charset_to_utf8("Shift_JIS", "\x82\xa0") == std::optional<std::string>("\xe3\x81\x82"));
    CHECK_FALSE(charset_to_utf8("no-such-charset", "x"));
    CHECK_FALSE(charset_to_utf8("", "x"));
    CHECK(charset_known("iso-8859-15"));
    CHECK_FALSE(charset_known("bogus-9"));
    // a large input crosses the conversion buffer
    std::string big(10000, '\xe9');
    auto out = charset_to_utf8("iso-8859-1", big);
    REQUIRE(out);
    CHECK(out->size() == 20000);
}

TEST_CASE("utf8 validation", "[rfc5322]") {
    struct Case {
        std::string input;
        bool valid;
    };
    const std::vector<Case> cases = {
        {"abc", true},
        {"\xc3\xa9", true},
        {"\xe2\x82\xac", true},
        {"\xf0\x9f\x98\x80", true},
        {"\xc0\xaf", false},          // overlong
        {"\xed\xa0\x80", false},      // surrogate
        {"\xf4\x90\x80\x80", false},  // above U+10FFFF
        {"\xe2\x82", false},          // truncated
        {"\x80", false},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(is_valid_utf8(c.input) == c.valid);
        CHECK(is_valid_utf8(sanitize_utf8(c.input)));
    }
}
