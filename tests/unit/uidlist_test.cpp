#include <catch2/catch.hpp>

#include "drivers/maildir/keywords.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::maildir;

TEST_CASE("uidlist: version 3 as Dovecot writes it", "[maildir]") {
    std::string text =
        "3 V1795645584 N5 G6021b1319060076bf621000083ecc375\n"
        "1 :1795645584.M833692P8694.vm,S=18,W=21\n"
        "3 :1795645584.M838110P8694.vm,S=18,W=21\n"
        "4 W21 :12345.abc.host\n";
    Uidlist l = parse_uidlist(text);
    CHECK(l.version == 3);
    CHECK(l.uidvalidity == 1795645584u);
    CHECK(l.next_uid == 5);
    CHECK(l.guid == "6021b1319060076bf621000083ecc375");
    REQUIRE(l.records.size() == 3);
    CHECK(l.records[0].uid == 1);
    CHECK(l.records[0].base == "1795645584.M833692P8694.vm,S=18,W=21");
    CHECK(l.records[2].extensions == Extensions{{'W', "21"}});
    CHECK(l.records[2].vsize() == 21u);
    CHECK_FALSE(l.records[0].vsize());
    CHECK(format_uidlist(l) == text);  // written back byte for byte
}

TEST_CASE("uidlist: every line form", "[maildir]") {
    struct Case {
        const char* text;
        Uid uidvalidity, next_uid;
        std::vector<std::pair<Uid, std::string>> records;
    };
    const Case cases[] = {
        // Records appended after the header: next UID follows the last record.
        {"3 V7 N2 Gab\n1 :a\n2 :b\n5 :c\n", 7, 6, {{1, "a"}, {2, "b"}, {5, "c"}}},
        // Several extensions, flags part of a name dropped.
        {"3 V7 N9\n3 W100 GX M12 :name:2,S\n", 7, 9, {{3, "name"}}},
        // Unknown header extensions, no records.
        {"3 V1 N1 G00 Zfoo\n", 1, 1, {}},
        // Version 1.
        {"1 42 10\n3 old.name\n4 other:2,RS\n", 42, 10, {{3, "old.name"}, {4, "other"}}},
        // A last line being written (no newline yet) is not read.
        {"3 V1 N1\n1 :a\n2 :b", 1, 2, {{1, "a"}}},
        // Empty lines are skipped.
        {"3 V1 N1\n\n1 :a\n", 1, 2, {{1, "a"}}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        Uidlist l = parse_uidlist(c.text);
        CHECK(l.uidvalidity == c.uidvalidity);
        CHECK(l.next_uid == c.next_uid);
        REQUIRE(l.records.size() == c.records.size());
        for (size_t i = 0; i < c.records.size(); ++i) {
            CHECK(l.records[i].uid == c.records[i].first);
            CHECK(l.records[i].base == c.records[i].second);
        }
    }
}

TEST_CASE("uidlist: unknown header extensions are kept", "[maildir]") {
    Uidlist l = parse_uidlist("3 V1 N3 Gab Zfoo\n2 Xy :n\n");
    CHECK(format_uidlist(l) == "3 V1 N3 Gab Zfoo\n2 Xy :n\n");
}

TEST_CASE("uidlist: damaged files are refused", "[maildir]") {
    const char* bad[] = {
        "", "garbage\n", "2 V1 N1\n", "3 N1\n", "3 V1 N1\n0 :a\n", "3 V1 N1\n2 :a\n1 :b\n",
        "3 V1 N1\nx :a\n", "3 V1 N1\n1 :\n", "3 Vx N1\n", "1 5\n",
    };
    for (const char* text : bad) {
        INFO(text);
        CHECK_THROWS_AS(parse_uidlist(text), MailError);
    }
}

TEST_CASE("dovecot-keywords: read and write", "[maildir]") {
    CHECK(parse_keywords("0 foo\n1 bar\n") == std::vector<std::string>{"foo", "bar"});
    CHECK(parse_keywords("2 baz\n0 foo\n") == std::vector<std::string>{"foo", "", "baz"});
    CHECK(parse_keywords("26 toolate\nx bad\n1\n0 ok\n") == std::vector<std::string>{"ok"});
    CHECK(parse_keywords("").empty());
    CHECK(format_keywords({"foo", "", "baz"}) == "0 foo\n2 baz\n");
}
