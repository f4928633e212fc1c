// SORT and THREAD: base subject (RFC 5256 2.1), sort keys, comparison,
// ORDEREDSUBJECT and REFERENCES, the request parser and ESEARCH/ESORT lines.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "imapd/commands/search_result.hpp"
#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/sort_request.hpp"
#include "sort/base_subject.hpp"
#include "sort/sort.hpp"
#include "sort/sort_keys.hpp"
#include "thread/thread.hpp"

using namespace mail;

TEST_CASE("base subject per RFC 5256 2.1", "[sort]") {
    struct Case {
        const char* subject;
        const char* base;
        bool reply;
    };
    const Case cases[] = {
        {"Hello", "Hello", false},
        {"Re: Hello", "Hello", true},
        {"RE: re: Re:Hello", "Hello", true},
        {"Fwd: Hello", "Hello", true},
        {"Fw: Hello", "Hello", true},
        {"FWD:Hello", "Hello", true},
        {"Re [list]: Hello", "Hello", true},
        {"[list] Re: Hello", "Hello", true},
        {"[list] Hello", "Hello", false},
        {"[list]", "[list]", false},               // a blob that is the whole subject stays
        {"[a][b] Re: [c] Hello", "Hello", true},
        {"Hello (fwd)", "Hello", true},
        {"Hello (FWD) (fwd)  ", "Hello", true},
        {"[Fwd: Hello]", "Hello", true},
        {"[fwd: Re: Hello (fwd)]", "Hello", true},
        {"  Hello \t  world  ", "Hello world", false},
        {"Re:", "", true},
        {"", "", false},
        {"Reply to this", "Reply to this", false},   // "re" not followed by ":"
        {"Fwdx: Hello", "Fwdx: Hello", false},
        {"Re: [fwd: Hello]", "Hello", true},
        {"=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=", "Grüße", true},
        {"Re: =?ISO-8859-1?Q?caf=E9?= =?ISO-8859-1?Q?_cr=E8me?=", "café crème", true},
        {"[PATCH v2] [net] Re: fix", "fix", true},
        {"Re: [", "[", true},
    };
    for (const Case& c : cases) {
        CAPTURE(c.subject);
        BaseSubject b = base_subject(c.subject);
        CHECK(b.text == c.base);
        CHECK(b.reply_or_forward == c.reply);
    }
}

TEST_CASE("unicode casemap: titlecase and NFKD", "[sort]") {
    CHECK(unicode_casemap("hello") == "HELLO");
    CHECK(unicode_casemap("Ñandú") == "N\u0303ANDU\u0301");
    CHECK(unicode_casemap("ß") == "ß");  // no single-character titlecase
    CHECK(unicode_casemap("\xff") == "\xef\xbf\xbd");
    CHECK(unicode_casemap("Numbers") < unicode_casemap("Ñandú"));
    CHECK(unicode_casemap("Ñandú") < unicode_casemap("Office"));
}

TEST_CASE("sort keys from a header", "[sort]") {
    MessageInfo info;
    info.internal_date = 1000;
    std::string header =
        "From: =?UTF-8?Q?J=C3=BCrgen?= <jm@example.com>\r\n"
        "To: group: a@b.c, d@e.f;, x@y.z\r\n"
        "Cc: <Carol@Example.com>\r\n"
        "Subject: Re: [list] Plans\r\n"
        "Date: Thu, 01 Jan 1970 01:00:00 +0100\r\n"
        "Message-ID: < id1@example.com >\r\n"
        "References: <r1@x> junk <r2@x>\r\n"
        "In-Reply-To: <other@x>\r\n\r\n";
    SortKeys k = extract_sort_keys(header, info);
    CHECK(k.sent == 0);
    CHECK(k.subject == "PLANS");
    CHECK(k.reply_or_forward);
    CHECK(k.from == "JM");
    CHECK(k.display_from == "JU\u0308RGEN");
    CHECK(k.to == "GROUP");  // a group's name, as Dovecot has it
    CHECK(k.display_to == "GROUP");
    CHECK(k.cc == "CAROL");
    CHECK(k.message_id == "id1@example.com");
    CHECK(k.references == std::vector<std::string>{"r1@x", "r2@x"});

    SortKeys none = extract_sort_keys("Date: not a date\r\nIn-Reply-To: <p@x> <q@x>\r\n\r\n", info);
    CHECK(none.sent == 1000);  // unparsable Date: falls back to the internal date
    CHECK(none.subject.empty());
    CHECK(none.references == std::vector<std::string>{"p@x"});
}

TEST_CASE("msg-id lists", "[sort]") {
    const std::pair<const char*, std::vector<std::string>> cases[] = {
        {"<a@b> <c@d>", {"a@b", "c@d"}},
        {"<a@b>,<c@d>", {"a@b", "c@d"}},
        {"<a\r\n @b>", {"a@b"}},
        {"<broken <c@d>", {"c@d"}},
        {"no ids", {}},
        {"<>", {}},
        {"<unclosed", {}},
    };
    for (const auto& [text, ids] : cases) {
        CAPTURE(text);
        CHECK(parse_msg_ids(text) == ids);
    }
}

namespace {

// Keys for tests: subject, sent, message-id, references.
SortKeys keys(std::string subject, int64_t sent, std::string id = "", std::vector<std::string> refs = {}) {
    SortKeys k;
    BaseSubject b = base_subject(subject);
    k.subject = unicode_casemap(b.text);
    k.reply_or_forward = b.reply_or_forward;
    k.sent = sent;
    k.message_id = std::move(id);
    k.references = std::move(refs);
    return k;
}

std::string thread(ThreadAlgorithm algorithm, const std::vector<SortKeys>& ks) {
    std::vector<ThreadItem> items;
    for (size_t i = 0; i < ks.size(); ++i) items.push_back({static_cast<uint32_t>(i + 1), &ks[i]});
    return format_threads(thread_messages(algorithm, items));
}

}  // namespace

TEST_CASE("sort by criteria, ties by sequence number", "[sort]") {
    std::vector<SortKeys> ks = {keys("b", 30), keys("a", 20), keys("Re: a", 10), keys("c", 20)};
    std::vector<MessageInfo> infos(4);
    for (size_t i = 0; i < 4; ++i) infos[i].size = 100 - i;
    auto run = [&](std::vector<SortCriterion> criteria) {
        std::vector<SortItem> items;
        for (size_t i = 0; i < ks.size(); ++i) items.push_back({i, &infos[i], &ks[i]});
        std::vector<size_t> order = sort_messages(items, criteria);
        std::string out;
        for (size_t i : order) out += std::to_string(i + 1);
        return out;
    };
    CHECK(run({{SortKey::Subject, false}}) == "2314");
    CHECK(run({{SortKey::Subject, false}, {SortKey::Date, false}}) == "3214");
    CHECK(run({{SortKey::Date, false}}) == "3241");
    CHECK(run({{SortKey::Date, true}}) == "1243");  // reversed key, ties still ascending
    CHECK(run({{SortKey::Size, false}}) == "4321");
    CHECK(run({{SortKey::Arrival, false}}) == "1234");
}

TEST_CASE("THREAD ORDEREDSUBJECT", "[sort]") {
    std::vector<SortKeys> ks = {keys("b", 5), keys("a", 3), keys("Re: b", 1), keys("c", 4), keys("re: a", 9),
                                keys("A", 7)};
    // a: 2(3) 6(7) 5(9); b: 3(1) 1(5); c: 4(4). Threads by first date: b(1), a(3), c(4).
    CHECK(thread(ThreadAlgorithm::OrderedSubject, ks) == "(3 1)(2 (6)(5))(4)");
    CHECK(thread(ThreadAlgorithm::OrderedSubject, {}) == "");
}

TEST_CASE("THREAD REFERENCES", "[sort]") {
    using A = ThreadAlgorithm;
    SECTION("a chain, a branch and a lone message") {
        std::vector<SortKeys> ks = {keys("x", 1, "1"), keys("Re: x", 2, "2", {"1"}), keys("Re: x", 3, "3", {"1", "2"}),
                                    keys("Re: x", 4, "4", {"1"}), keys("other", 5, "5")};
        CHECK(thread(A::References, ks) == "(1 (2 3)(4))(5)");
    }
    SECTION("a missing parent becomes a dummy with two children") {
        std::vector<SortKeys> ks = {keys("Re: x", 2, "2", {"gone"}), keys("Re: y", 1, "3", {"gone"})};
        CHECK(thread(A::References, ks) == "((2)(1))");
    }
    SECTION("a dummy with one child is pruned") {
        std::vector<SortKeys> ks = {keys("Re: x", 2, "2", {"gone"}), keys("z", 1, "3")};
        CHECK(thread(A::References, ks) == "(2)(1)");
    }
    SECTION("same base subject: a reply goes under the original") {
        std::vector<SortKeys> ks = {keys("Re: topic", 2, "2"), keys("topic", 1, "1")};
        CHECK(thread(A::References, ks) == "(2 1)");
    }
    SECTION("same base subject, neither a reply: a dummy parent") {
        std::vector<SortKeys> ks = {keys("topic", 2, "2"), keys("topic", 1, "1"), keys("", 3, "3"), keys("", 4, "4")};
        CHECK(thread(A::References, ks) == "((2)(1))(3)(4)");
    }
    SECTION("duplicate Message-IDs and reference loops do not hang or lose messages") {
        std::vector<SortKeys> ks = {keys("a", 1, "1", {"2"}), keys("b", 2, "2", {"1"}), keys("c", 3, "1"),
                                    keys("d", 4, "4", {"4"})};
        std::string out = thread(A::References, ks);
        for (const char* n : {"1", "2", "3", "4"}) CHECK(out.find(n) != std::string::npos);
    }
    SECTION("siblings sorted by date, dummies by their first child") {
        std::vector<SortKeys> ks = {keys("p", 1, "p"), keys("Re: p", 9, "c1", {"p"}), keys("Re: p", 5, "c2", {"p"}),
                                    keys("q", 0, "q1", {"m"}), keys("r", 7, "q2", {"m"})};
        CHECK(thread(A::References, ks) == "((4)(5))(1 (3)(2))");
    }
}

TEST_CASE("SORT and THREAD request parsing", "[sort]") {
    using namespace mail::imapd;
    {
        ArgReader a("(REVERSE date subject) utf-8 ALL");
        SortRequest r = parse_sort(a);
        REQUIRE(r.criteria.size() == 2);
        CHECK(r.criteria[0] == SortCriterion{SortKey::Date, true});
        CHECK(r.criteria[1] == SortCriterion{SortKey::Subject, false});
        CHECK(r.charset == "UTF-8");
        CHECK_FALSE(r.return_options);
    }
    {
        ArgReader a("RETURN (MIN COUNT) (DISPLAYFROM) US-ASCII SEEN FROM \"x\"");
        SortRequest r = parse_sort(a);
        CHECK(*r.return_options == std::vector<std::string>{"MIN", "COUNT"});
        CHECK(r.criteria[0].key == SortKey::DisplayFrom);
        CHECK(r.keys.children.size() == 2);
    }
    const char* bad[] = {"(FOO) UTF-8 ALL", "() UTF-8 ALL", "(REVERSE) UTF-8 ALL", "(DATE) UTF-8",
                         "(DATE)", "DATE UTF-8 ALL", "(DATE REVERSE) UTF-8 ALL"};
    for (const char* text : bad) {
        CAPTURE(text);
        ArgReader a(text);
        CHECK_THROWS_AS(parse_sort(a), ParseError);
    }
    {
        ArgReader a("references UTF-8 ALL");
        CHECK(parse_thread(a).algorithm == ThreadAlgorithm::References);
        ArgReader b("ORDEREDSUBJECT UTF-8 UNSEEN");
        CHECK(parse_thread(b).algorithm == ThreadAlgorithm::OrderedSubject);
        ArgReader c("REFS UTF-8 ALL");
        CHECK_THROWS_AS(parse_thread(c), ParseError);
    }
}

TEST_CASE("ESEARCH and ESORT result lines", "[sort]") {
    using namespace mail::imapd;
    ReturnOptions all = parse_return_options({});
    CHECK(all.all);
    CHECK_THROWS_AS(parse_return_options({"PARTIAL"}), ParseError);
    ReturnOptions everything = parse_return_options({"MIN", "MAX", "COUNT", "ALL"});
    CHECK(esearch_response("A1", false, {2, 10, 11}, everything) ==
          "ESEARCH (TAG \"A1\") MIN 2 MAX 11 ALL 2,10:11 COUNT 3");
    CHECK(esearch_response("A1", true, {}, everything) == "ESEARCH (TAG \"A1\") UID COUNT 0");
    CHECK(esearch_response("A1", false, {5, 3, 4, 1}, everything, true) ==
          "ESEARCH (TAG \"A1\") MIN 5 MAX 1 ALL 5,3:4,1 COUNT 4");
    ReturnOptions save_only = parse_return_options({"SAVE"});
    CHECK_FALSE(save_only.esearch());
    CHECK(saved_uids({9, 3, 5}, save_only) == std::vector<Uid>{3, 5, 9});
    CHECK(saved_uids({9, 3, 5}, parse_return_options({"SAVE", "MIN"})) == std::vector<Uid>{3});
    CHECK(saved_uids({9, 3, 5}, parse_return_options({"SAVE", "MIN", "MAX"}), true) == std::vector<Uid>{5, 9});
    CHECK(ordered_set({1, 2, 3, 7, 6, 8, 9}) == "1:3,7,6,8:9");
}
