#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/command_reader.hpp"
#include "imapd/protocol/fetch_request.hpp"
#include "imapd/protocol/list_request.hpp"
#include "imapd/protocol/mailbox_requests.hpp"
#include "imapd/protocol/mutf7.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/search_program.hpp"
#include "imapd/protocol/sequence_set.hpp"
#include "imapd/protocol/store_request.hpp"
#include "mailbox/types.hpp"

using namespace mail::imapd;
using Ev = CommandReader::Event;

namespace {

// Runs input through a reader and describes every event as text, answering
// APPEND messages by accepting them and collecting their bytes.
std::vector<std::string> events(const std::string& input, bool byte_at_a_time,
                                ParserLimits limits = {}) {
    CommandReader r(limits);
    std::vector<std::string> out;
    size_t fed = 0;
    auto feed_more = [&]() {
        if (fed >= input.size()) return false;
        size_t n = byte_at_a_time ? 1 : input.size() - fed;
        r.feed(std::string_view(input).substr(fed, n));
        fed += n;
        return true;
    };
    for (;;) {
        Ev e = r.next();
        if (e == Ev::NeedInput) {
            if (!feed_more()) return out;
        } else if (e == Ev::Continuation) {
            out.push_back("+");
        } else if (e == Ev::Error) {
            out.push_back(r.error_tag() + " " + r.error_status() + " " + r.error_text());
        } else if (e == Ev::Command) {
            const Command& c = r.command();
            out.push_back("cmd " + c.tag + " " + (c.uid ? "UID " : "") + c.name + " [" +
                          c.text.substr(c.args_pos) + "]");
        } else if (e == Ev::AppendMessage) {
            const AppendMessage& m = r.append();
            std::string desc = "msg " + m.tag + " " + m.mailbox + " " + std::to_string(m.size) +
                               (m.synchronizing ? " sync" : " nonsync") + " flags=" +
                               std::to_string(m.flags.flags) +
                               (m.date ? " date=" + std::to_string(m.date->time) : "");
            if (r.accept_message()) desc += " +";
            std::string body;
            while (r.message_remaining() > 0) {
                std::string_view b = r.message_bytes();
                if (b.empty() && !feed_more()) break;
                body += b;
            }
            out.push_back(desc + " body=" + body);
        } else if (e == Ev::AppendDone) {
            out.push_back("done " + r.append().tag);
        }
    }
}

void check_both_ways(const std::string& input, const std::vector<std::string>& expected,
                     ParserLimits limits = {}) {
    INFO(input);
    CHECK(events(input, false, limits) == expected);
    CHECK(events(input, true, limits) == expected);
}

}  // namespace

TEST_CASE("command reader frames commands, literals and errors", "[imapd]") {
    struct Case {
        std::string input;
        std::vector<std::string> expected;
    } cases[] = {
        {"a NOOP\r\n", {"cmd a NOOP [\r\n]"}},
        {"a noop\n", {"cmd a NOOP [\n]"}},
        {"a1 uid fetch 1:* FLAGS\r\n", {"cmd a1 UID FETCH [1:* FLAGS\r\n]"}},
        {"a NOOP\r\nb CAPABILITY\r\n", {"cmd a NOOP [\r\n]", "cmd b CAPABILITY [\r\n]"}},
        {"a LOGIN {3}\r\nbob pw\r\n", {"+", "cmd a LOGIN [{3}\r\nbob pw\r\n]"}},
        {"a LOGIN {3+}\r\nbob {2+}\r\npw\r\n", {"cmd a LOGIN [{3+}\r\nbob {2+}\r\npw\r\n]"}},
        {"a LOGIN {0}\r\n x\r\n", {"+", "cmd a LOGIN [{0}\r\n x\r\n]"}},
        {"\r\n", {"* BAD Empty command line"}},
        {"a\r\n", {"a BAD Missing command name"}},
        {"+x NOOP\r\n", {"* BAD Invalid tag"}},
        {"a NOOP(\r\nb NOOP\r\n", {"a BAD Expected a space", "cmd b NOOP [\r\n]"}},
        {"a LOGIN {70000}\r\nb NOOP\r\n",
         {"a BAD Literal too large: the limit is 65536 bytes", "cmd b NOOP [\r\n]"}},
        {"a LOGIN {70000+}\r\n" + std::string(70000, 'x') + " y\r\nb NOOP\r\n",
         {"a BAD Literal too large: the limit is 65536 bytes", "cmd b NOOP [\r\n]"}},
        {"a LOGIN {000000000000000000003}\r\nbob pw\r\n",
         {"+", "cmd a LOGIN [{000000000000000000003}\r\nbob pw\r\n]"}},
        {"a X {99999999999999999999}\r\nb NOOP\r\n",
         {"a BAD Literal too large: the limit is 65536 bytes", "cmd b NOOP [\r\n]"}},
        {"a NOOP " + std::string(70000, 'x') + "\r\nb NOOP\r\n",
         {"a BAD Command line too long", "cmd b NOOP [\r\n]"}},
        {"a APPEND INBOX (\\Seen) {5}\r\nhello\r\n",
         {"msg a INBOX 5 sync flags=1 + body=hello", "done a"}},
        {"a APPEND inbox {5+}\r\nhello\r\n", {"msg a INBOX 5 nonsync flags=0 body=hello", "done a"}},
        {"a APPEND {4}\r\nDraf \"01-Jan-1970 00:00:10 +0000\" {2}\r\nhi\r\n",
         {"+", "msg a Draf 2 sync flags=0 date=10 + body=hi", "done a"}},
        {"a APPEND INBOX {2+}\r\nhi (\\Flagged) {3+}\r\nyou\r\n",
         {"msg a INBOX 2 nonsync flags=0 body=hi", "msg a INBOX 3 nonsync flags=4 body=you",
          "done a"}},
        {"a APPEND INBOX {2+}\r\nhi junk\r\nb NOOP\r\n",
         {"msg a INBOX 2 nonsync flags=0 body=hi", "a BAD Unexpected extra arguments",
          "cmd b NOOP [\r\n]"}},
        {"a APPEND INBOX (\\Bogus) {2+}\r\nhi\r\nb NOOP\r\n",
         {"a BAD Invalid system flag \\Bogus", "cmd b NOOP [\r\n]"}},
        {"a APPEND INBOX\r\n", {"cmd a APPEND [INBOX\r\n]"}},
    };
    for (const auto& c : cases) check_both_ways(c.input, c.expected);
}

TEST_CASE("APPEND message size limit and LITERAL-", "[imapd]") {
    ParserLimits limits;
    limits.max_message = 10;
    check_both_ways("a APPEND INBOX {11}\r\nb NOOP\r\n",
                    {"a NO [TOOBIG] Message too large: the limit is 10 bytes", "cmd b NOOP [\r\n]"},
                    limits);
    check_both_ways("a APPEND INBOX {11+}\r\n01234567890\r\nb NOOP\r\n",
                    {"a NO [TOOBIG] Message too large: the limit is 10 bytes", "cmd b NOOP [\r\n]"},
                    limits);
    ParserLimits minus;
    minus.literal_minus = true;
    check_both_ways("a APPEND INBOX {4097+}\r\n" + std::string(4097, 'x') + "\r\nb NOOP\r\n",
                    {"a BAD [TOOBIG] Non-synchronizing literals may be at most 4096 bytes",
                     "cmd b NOOP [\r\n]"},
                    minus);
}

TEST_CASE("a rejected APPEND message is skipped", "[imapd]") {
    CommandReader r;
    r.feed("a APPEND INBOX {5+}\r\nhello {3+}\r\nabc\r\nb NOOP\r\n");
    REQUIRE(r.next() == Ev::AppendMessage);
    r.reject_message();
    REQUIRE(r.next() == Ev::Command);
    CHECK(r.command().tag == "b");
}

TEST_CASE("take_line reads IDLE's DONE", "[imapd]") {
    CommandReader r;
    r.feed("DON");
    CHECK(!r.take_line());
    r.feed("E\r\nb NOOP\r\n");
    CHECK(r.take_line() == std::optional<std::string>("DONE"));
    CHECK(r.next() == Ev::Command);
}

TEST_CASE("argument forms", "[imapd]") {
    SECTION("astring, quoted, literal, nstring") {
        ArgReader a("foo \"a \\\"q\\\\\" {3}\r\nx y NIL \"\" ]x\r\n");
        CHECK(a.astring() == "foo");
        a.sp();
        CHECK(a.astring() == "a \"q\\");
        a.sp();
        CHECK(a.astring() == "x y");
        a.sp();
        CHECK(a.nstring() == std::nullopt);
        a.sp();
        CHECK(a.nstring() == std::optional<std::string>(""));
        a.sp();
        CHECK(a.astring() == "]x");
        a.end();
    }
    struct Bad {
        std::string input;
        std::string error;
    } bad[] = {
        {"\"abc", "Unterminated quoted string"},
        {"\"a\\b\"", "Invalid escape in quoted string"},
        {"{5}\r\nab", "Literal data incomplete"},
        {"(x", "Expected a string"},
        {"", "Missing arguments"},
    };
    for (const auto& b : bad) {
        ArgReader a(b.input);
        CHECK_THROWS_WITH(a.astring(), b.error);
    }
    ArgReader m("iNbOx");
    CHECK(m.mailbox() == "INBOX");
    ArgReader f("(\\Seen \\flagged $Label1 $label1)");
    auto flags = f.flag_list();
    CHECK(flags.flags == (mail::kSeen | mail::kFlagged));
    CHECK(flags.keywords == std::vector<std::string>{"$Label1"});
    ArgReader recent("(\\Recent)");
    CHECK_THROWS_AS(recent.flag_list(), ParseError);
    ArgReader n("4294967296");
    CHECK_THROWS_WITH(n.number(), "Number too large");
}

TEST_CASE("dates", "[imapd]") {
    CHECK(parse_date("1-Jan-1970") == 0);
    CHECK(parse_date("01-feb-2024") == days_from_civil(2024, 2, 1));
    CHECK(parse_date("29-Feb-2024") == days_from_civil(2024, 2, 29));
    CHECK_THROWS(parse_date("29-Feb-2023"));
    CHECK_THROWS(parse_date("1-Foo-2023"));
    CHECK_THROWS(parse_date("1-Jan-23"));
    CHECK(parse_date_time(" 1-Jan-1970 01:00:00 +0100") == DateTime{0, 60});
    CHECK(parse_date_time("17-Jul-1996 02:44:25 -0700") == DateTime{837596665, -420});
    CHECK_THROWS(parse_date_time("17-Jul-1996 24:44:25 -0700"));
    CHECK_THROWS(parse_date_time("17-Jul-1996 02:44:25 0700"));
}

TEST_CASE("sequence sets", "[imapd]") {
    auto s = SequenceSet::parse("7:5,1,3,*,9:*");
    CHECK(s.to_string() == "5:7,1,3,*,9:*");
    auto r = s.resolve(10);
    CHECK(r.to_string() == "1,3,5:7,9:10");
    CHECK(r.contains(1));
    CHECK(!r.contains(2));
    CHECK(r.contains(6));
    CHECK(r.contains(10));
    CHECK(!r.contains(11));
    CHECK(r.size() == 7);
    std::vector<uint32_t> seen;
    r.for_each([&](uint32_t n) { seen.push_back(n); });
    CHECK(seen == std::vector<uint32_t>{1, 3, 5, 6, 7, 9, 10});
    CHECK(SequenceSet::parse("1:*").resolve(0).empty());
    CHECK(SequenceSet::parse("$").is_saved());
    CHECK(SequenceSet::parse("4294967294").resolve(1).contains(4294967294u));
    for (const char* bad : {"", "0", "1:", ",1", "1,,2", "a", "4294967296", "1:0"})
        CHECK_THROWS_AS(SequenceSet::parse(bad), ParseError);
}

TEST_CASE("4294967295 is a valid number in sequence sets and arguments", "[imapd]") {
    // RFC 3501/9051 nz-number is 32 bits; it is not "*".
    auto all = SequenceSet::parse("1:4294967295").resolve(10);
    CHECK(all.contains(1));
    CHECK(all.contains(10));
    CHECK(all.contains(4294967294u));
    CHECK(!SequenceSet::parse("4294967295").resolve(10).contains(10));
    CHECK(SequenceSet::parse("11:4294967295").resolve(10).contains(11));
    CHECK(!SequenceSet::parse("11:4294967295").resolve(10).contains(10));
    ArgReader n32("4294967295");
    CHECK(n32.number() == 4294967295u);
    // 64-bit numbers (mod-sequences, RFC 9051 number64) to the last digit.
    ArgReader n64("18446744073709551615 00000000000000000000007");
    CHECK(n64.number64() == UINT64_MAX);
    n64.sp();
    CHECK(n64.number64() == 7);
    ArgReader over("18446744073709551616");
    CHECK_THROWS_WITH(over.number64(), "Number too large");
    // A literal's length may have leading zeros.
    ArgReader lit("{000000000000000000003}\r\nabc");
    CHECK(lit.literal() == "abc");
    // FETCH partial: "<" number64 "." nz-number64 ">".
    ArgReader partial("BODY[]<0.4294967296>");
    auto req = parse_fetch(partial);
    REQUIRE(req.items.at(0).partial);
    CHECK(req.items[0].partial->length == 4294967296u);
    for (const char* bad : {"BODY[]<9223372036854775808.1>", "BODY[]<0.0>"}) {
        ArgReader a(bad);
        CHECK_THROWS_AS(parse_fetch(a), ParseError);
    }
}

TEST_CASE("FETCH items", "[imapd]") {
    struct Case {
        std::string input;
        std::vector<std::string> names;
    } cases[] = {
        {"ALL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}},
        {"fast", {"FLAGS", "INTERNALDATE", "RFC822.SIZE"}},
        {"FULL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}},
        {"(UID BODY.PEEK[1.2.HEADER.FIELDS (from To)]<0.100> BODYSTRUCTURE)",
         {"UID", "BODY[1.2.HEADER.FIELDS (FROM TO)]<0>", "BODYSTRUCTURE"}},
        {"BODY[]", {"BODY[]"}},
        {"(BODY[TEXT] BODY[1.MIME] BODY[HEADER.FIELDS.NOT (X)] RFC822.HEADER RFC822.TEXT RFC822)",
         {"BODY[TEXT]", "BODY[1.MIME]", "BODY[HEADER.FIELDS.NOT (X)]", "RFC822.HEADER",
          "RFC822.TEXT", "RFC822"}},
        {"(BINARY.PEEK[1]<5.10> BINARY.SIZE[2] MODSEQ)", {"BINARY[1]<5>", "BINARY.SIZE[2]", "MODSEQ"}},
        {"(FLAGS) (CHANGEDSINCE 5)", {"FLAGS"}},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        ArgReader a(c.input);
        FetchRequest req = parse_fetch(a);
        a.end();
        std::vector<std::string> names;
        for (const auto& i : req.items) names.push_back(i.response_name());
        CHECK(names == c.names);
    }
    ArgReader peek("(BODY.PEEK[] BODY[])");
    auto req = parse_fetch(peek);
    CHECK(!req.items[0].sets_seen());
    CHECK(req.items[1].sets_seen());
    for (const char* bad : {"(ALL)", "BODY[MIME]", "BODY[1.FOO]", "BODY[]<1>", "FOO", "(FLAGS",
                            "BINARY[TEXT]", "BODY[HEADER.FIELDS ()]", ""}) {
        INFO(bad);
        ArgReader a(bad);
        CHECK_THROWS_AS(parse_fetch(a), ParseError);
    }
}

TEST_CASE("STORE arguments", "[imapd]") {
    ArgReader a("+FLAGS.SILENT (\\Deleted foo)");
    auto s = parse_store(a);
    CHECK(s.op == StoreRequest::Op::Add);
    CHECK(s.silent);
    CHECK(s.flags.flags == mail::kDeleted);
    CHECK(s.flags.keywords == std::vector<std::string>{"foo"});
    ArgReader b("(UNCHANGEDSINCE 12) -FLAGS \\Seen \\Draft");
    auto t = parse_store(b);
    CHECK(t.op == StoreRequest::Op::Remove);
    CHECK(t.unchanged_since == 12u);
    CHECK(t.flags.flags == (mail::kSeen | mail::kDraft));
    for (const char* bad : {"FLAGZ (\\Seen)", "+FLAGS", "FLAGS (\\Seen", "FLAGS (\\Seen) x"}) {
        ArgReader c(bad);
        CHECK_THROWS_AS(parse_store(c), ParseError);
    }
}

namespace {

std::string describe(const SearchKey& k) {
    using K = SearchKey::Kind;
    switch (k.kind) {
    case K::And: case K::Or: case K::Not: {
        std::string s = k.kind == K::And ? "and(" : k.kind == K::Or ? "or(" : "not(";
        for (size_t i = 0; i < k.children.size(); ++i) s += (i ? " " : "") + describe(k.children[i]);
        return s + ")";
    }
    case K::SequenceSet: return "seq:" + k.set.to_string();
    case K::Uid: return "uid:" + k.set.to_string();
    case K::Header: return "header:" + k.field + "=" + k.value;
    case K::From: return "from:" + k.value;
    case K::Since: return "since:" + std::to_string(k.date);
    case K::Larger: return "larger:" + std::to_string(k.number);
    case K::Keyword: return "keyword:" + k.value;
    case K::Unseen: return "unseen";
    case K::Deleted: return "deleted";
    default: return "key" + std::to_string(static_cast<int>(k.kind));
    }
}

}  // namespace

TEST_CASE("SEARCH programs", "[imapd]") {
    struct Case {
        std::string input;
        std::string tree;
    } cases[] = {
        {"ALL", "and(key3)"},
        {"1:3 UNSEEN", "and(seq:1:3 unseen)"},
        {"OR FROM bob (DELETED UID 5:*) NOT KEYWORD $x",
         "and(or(from:bob and(deleted uid:5:*)) not(keyword:$x))"},
        {"CHARSET utf-8 HEADER X-Foo {3}\r\nbar", "and(header:X-FOO=bar)"},
        {"SINCE 2-Jan-1970 LARGER 100", "and(since:1 larger:100)"},
        {"RETURN (MIN COUNT) $", "and(seq:$)"},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        ArgReader a(c.input);
        CHECK(describe(parse_search(a).root) == c.tree);
    }
    ArgReader cs("CHARSET utf-8 ALL");
    CHECK(parse_search(cs).charset == std::optional<std::string>("UTF-8"));
    for (const char* bad : {"", "FOO", "OR ALL", "(ALL", "SINCE 32-Jan-2000", "LARGER x", "ALL )",
                            "NOT"}) {
        INFO(bad);
        ArgReader a(bad);
        CHECK_THROWS_AS(parse_search(a), ParseError);
    }
    std::string deep(100, '(');
    deep += "ALL" + std::string(100, ')');
    ArgReader d(deep);
    CHECK_THROWS_WITH(parse_search(d), "Too deeply nested parentheses");
    std::string nots;
    for (int i = 0; i < 2000; ++i) nots += "NOT ";
    nots += "ALL";
    ArgReader n(nots);
    CHECK_THROWS_WITH(parse_search(n), "Search program nested too deeply");
}

TEST_CASE("LIST and STATUS arguments", "[imapd]") {
    ArgReader a("\"\" %");
    auto l = parse_list_request(a);
    CHECK(l.reference.empty());
    CHECK(l.patterns == std::vector<std::string>{"%"});
    CHECK_FALSE(l.extended);
    ArgReader b("(SUBSCRIBED) \"\" (INBOX* Work/%) RETURN (CHILDREN)");
    auto m = parse_list_request(b);
    CHECK(m.selection == kSelectSubscribed);
    CHECK(m.patterns == std::vector<std::string>{"INBOX*", "Work/%"});
    CHECK(m.returns == kReturnChildren);
    CHECK(m.extended);
    ArgReader s("inbox (MESSAGES uidnext UNSEEN)");
    auto st = parse_status(s);
    CHECK(st.mailbox == "INBOX");
    CHECK(st.items == std::vector<StatusItem>{kStatusMessages, kStatusUidNext, kStatusUnseen});
    ArgReader bad("INBOX (FOO)");
    CHECK_THROWS_WITH(parse_status(bad), "Unknown STATUS item FOO");
}

TEST_CASE("modified UTF-7 mailbox names", "[imapd]") {
    struct Case {
        std::string utf8, mutf7;
    } cases[] = {
        {"INBOX", "INBOX"},
        {"a&b", "a&-b"},
        {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
        {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
         "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
        {"\xf0\x9f\x98\x80", "&2D3eAA-"},
    };
    for (const auto& c : cases) {
        CHECK(mutf7_encode(c.utf8) == c.mutf7);
        CHECK(mutf7_decode(c.mutf7) == c.utf8);
    }
    for (const char* bad : {"&", "&Jjo", "&AGE-", "&2D3-", "&-&", "a\xc3\xa9", "&U,BTFw", "&Jj!-"})
        CHECK(!mutf7_valid(bad));
    CHECK(!mutf7_encode("\xff"));
}
