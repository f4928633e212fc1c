#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "message/address.hpp"

using namespace mail;

namespace {

// One address as "name|adl|mailbox|host", NIL for an absent part; list
// elements separated by " ; ". Keeps the tables below readable. The name
// with its whitespace collapsed, as ENVELOPE shows it.
std::string render(const std::vector<Address>& list) {
    auto part = [](const std::optional<std::string>& s) { return s ? *s : std::string("NIL"); };
    std::string out;
    for (const Address& a : list) {
        if (!out.empty()) out += " ; ";
        out += (a.name ? collapse_whitespace(*a.name) : "NIL") + "|" + part(a.adl) + "|" + part(a.mailbox) + "|" + part(a.host);
    }
    return out;
}

}  // namespace

// Expected values were checked against Dovecot 2.3's ENVELOPE.
TEST_CASE("parse_address_list", "[rfc5322]") {
    struct Case {
        std::string input, expected;
    };
    const std::vector<Case> cases = {
        {"a@b", "NIL|NIL|a|b"},
        {"Alice <alice@example.org>", "Alice|NIL|alice|example.org"},
        {"\"Example, Alice \\\"Al\\\"\" <a@b>", "Example, Alice \"Al\"|NIL|a|b"},
        {"a@b, c@d", "NIL|NIL|a|b ; NIL|NIL|c|d"},
        // groups
        {"undisclosed-recipients:;", "NIL|NIL|undisclosed-recipients|NIL ; NIL|NIL|NIL|NIL"},
        {"team: a@b, c@d;, x@y",
         "NIL|NIL|team|NIL ; NIL|NIL|a|b ; NIL|NIL|c|d ; NIL|NIL|NIL|NIL ; NIL|NIL|x|y"},
        {"grp: a@b", "NIL|NIL|grp|NIL ; NIL|NIL|a|b ; NIL|NIL|NIL|NIL"},  // no ';'
        // obsolete route
        {"<@route1,@route2:user@host>", "NIL|@route1,@route2|user|host"},
        // comments: after a bare addr-spec the last one names it
        {"foo@bar.com (Foo Bar)", "Foo Bar|NIL|foo|bar.com"},
        {"a@b (one) (two)", "two|NIL|a|b"},
        {"(first) a@b", "NIL|NIL|a|b"},
        {"<a@b> (after)", "NIL|NIL|a|b"},
        {"Name (comment) <a@b>", "Name|NIL|a|b"},
        // CFWS around dots and @, quoted local parts
        {"j.k @ l . m", "NIL|NIL|j.k|l.m"},
        {"\"a b\"@c", "NIL|NIL|a b|c"},
        {"\"a.b\"@c (d)", "d|NIL|a.b|c"},
        {"a@[1.2.3.4]", "NIL|NIL|a|[1.2.3.4]"},
        // missing parts
        {"user", "NIL|NIL|user|MISSING_DOMAIN"},
        {"John Doe", "John Doe|NIL|MISSING_MAILBOX|MISSING_DOMAIN"},
        {"@", "NIL|NIL|MISSING_MAILBOX|MISSING_DOMAIN"},
        {"<>", "NIL|NIL|MISSING_MAILBOX|MISSING_DOMAIN"},
        {"a@", "NIL|NIL|a|MISSING_DOMAIN"},
        {"@b", "NIL|NIL|MISSING_MAILBOX|b"},
        // Null members (RFC 5322 4.4 obs-addr-list) are no addresses. Dovecot
        // gives a (NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN") for each one
        // before the last; we follow the RFC, as tests/corpus/address-list-odd.
        {"<a@b>, , ,c@d", "NIL|NIL|a|b ; NIL|NIL|c|d"},
        {", bob@example.com,, ,carol@example.net,", "NIL|NIL|bob|example.com ; NIL|NIL|carol|example.net"},
        {"a@b,", "NIL|NIL|a|b"},
        {",", ""},
        // dots anywhere in a local part, as Dovecot takes them
        {"a.@b, .a@b", "NIL|NIL|a.|b ; NIL|NIL|.a|b"},
        // Dovecot drops a domain with a trailing dot (a MISSING_DOMAIN); we keep it.
        {"a@b.", "NIL|NIL|a|b."},
        // addresses inside a group, with comments and names
        {"g: \"N\" <a@b>, (x) c@d (y);", "NIL|NIL|g|NIL ; N|NIL|a|b ; y|NIL|c|d ; NIL|NIL|NIL|NIL"},
        // display names: empty is NIL, whitespace collapsed
        {"\"\" <a@b>", "NIL|NIL|a|b"},
        {"Mr  X <  x @ y >", "Mr X|NIL|x|y"},
        {"\"  Spaced \t Name \" <a@b>", "Spaced Name|NIL|a|b"},
        // syntax errors stop the list, keeping what was parsed
        {"x <y@z", "x|NIL|y|SYNTAX_ERROR"},
        {"a b@c, a@b", "a b|NIL|MISSING_MAILBOX|MISSING_DOMAIN"},
        {"a@b;c@d", "NIL|NIL|a|b"},
        {"\"unterminated <a@b>", "NIL|NIL|MISSING_MAILBOX|MISSING_DOMAIN"},
        // 8-bit display names stay raw
        {"J\xe9r\xf4me <a@b>", "J\xe9r\xf4me|NIL|a|b"},
        // encoded words are not decoded here
        {"=?utf-8?Q?J=C3=B6rg?= <j@x>", "=?utf-8?Q?J=C3=B6rg?=|NIL|j|x"},
        // Dovecot gives ("q" NIL MISSING_MAILBOX MISSING_DOMAIN) here; RFC 5322
        // obs-local-part allows quoted words joined by dots, so we follow it.
        {"(c) \"q\" . \"r\" @ b", "NIL|NIL|q.r|b"},
        {"", ""},
        {"   ", ""},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(render(parse_address_list(c.input)) == c.expected);
    }
}

TEST_CASE("first_mailbox skips group markers", "[rfc5322]") {
    auto list = parse_address_list("team: Bob <bob@x>, c@d;, e@f");
    auto first = first_mailbox(list);
    REQUIRE(first);
    CHECK(*first->mailbox == "bob");
    CHECK(address_spec(*first) == "bob@x");
    CHECK_FALSE(first_mailbox(parse_address_list("empty:;")));
    CHECK(address_spec(parse_address_list("user").front()) == "user");
}

TEST_CASE("collapse_whitespace", "[rfc5322]") {
    CHECK(collapse_whitespace("  a \t b\r\n\tc  ") == "a b c");
    CHECK(collapse_whitespace("   ") == "");
    CHECK(collapse_whitespace(std::string("a\0b", 3)) == "a\x80" "b");
}

// What SEARCH FROM/TO/CC/BCC match against; each expected text was checked
// by searching for it (and for its neighbours) in Dovecot 2.3.
TEST_CASE("address_list_text writes lists as Dovecot does", "[rfc5322]") {
    struct Case {
        std::string input, expected;
    };
    const std::vector<Case> cases = {
        {"user@d.org", "<user@d.org>"},
        {"Real Name <r@d.org>", "\"Real Name\" <r@d.org>"},
        {"\"Real  Name\" <q@d.org>", "\"Real  Name\" <q@d.org>"},  // quoted whitespace kept
        {"a@b.c (Com ment)", "\"Com ment\" <a@b.c>"},
        {"<user-from (comment)@ (comment) domain.org>", "<user-from@domain.org>"},
        {"grp: a@b.c, d@e.f;", "grp: <a@b.c>, <d@e.f>;"},
        {"g:;", "g:;"},
        {"a1@b.c, d1@e.f", "<a1@b.c>, <d1@e.f>"},
        {"justlocal", "<justlocal@MISSING_DOMAIN>"},
        {"Mr. X <m@x.org>", "\"Mr. X\" <m@x.org>"},
        {"<@route.org:rr@d.org>", "<@route.org:rr@d.org>"},
        {"J\xc3\xb6rg <j@d.org>", "J\xc3\xb6rg <j@d.org>"},  // 8-bit is atext
        {"O'Neil <o@d.org>", "O'Neil <o@d.org>"},
        {"\"a\\\\b\" <ab@d.org>", "\"a\\\\b\" <ab@d.org>"},
        {"=?utf-8?q?J=C3=B6rg_M?= <jm@d.org>", "=?utf-8?q?J=C3=B6rg_M?= <jm@d.org>"},
        {"\"\" <e@d.org>", "<e@d.org>"},
        {"\"x@y\" <xy@d.org>", "\"x@y\" <xy@d.org>"},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        CHECK(address_list_text(parse_address_list(c.input)) == c.expected);
    }
}
