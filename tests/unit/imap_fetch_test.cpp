// FETCH and STORE in imapd over an in-memory mailbox: item order, every
// section form, partials, \Seen, messages removed under us, STORE forms and
// keywords; and the pieces: plan_fetch, message_indexes, read_header,
// MessageCache.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "cache/message_cache.hpp"
#include "imapd/commands/fetch_message.hpp"
#include "imapd/commands/fetch_plan.hpp"
#include "imapd/commands/fetch_set.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/session.hpp"
#include "mime/parser.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::imapd;

namespace {

UniqueFd memory_file(std::string_view bytes) {
    UniqueFd fd(::memfd_create("fetch-test", 0));
    REQUIRE(fd);
    REQUIRE(::write(fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    return fd;
}

// A mailbox held in memory: each message in its own memfd.
class MemoryMailbox : public Mailbox {
public:
    explicit MemoryMailbox(std::vector<std::string> bodies, bool read_only = false) : read_only_(read_only) {
        Uid uid = 1;
        for (auto& b : bodies) {
            MessageInfo m;
            m.uid = uid;
            uid += 2;  // gaps, so that UIDs and sequence numbers differ
            m.size = crlf_size(b);
            m.internal_date = 1700000000;
            m.zone_minutes = 60;
            m.flags = kRecent;
            messages_.push_back(m);
            fds_.push_back(std::make_shared<UniqueFd>(memory_file(b)));
            lengths_.push_back(b.size());
        }
        keywords_ = {"$Old"};
    }
    bool read_only() const override { return read_only_; }
    Uid uidvalidity() const override { return 42; }
    Uid uidnext() const override { return messages_.empty() ? 1 : messages_.back().uid + 1; }
    std::optional<size_t> keyword_bit(std::string_view name, bool create) override {
        for (size_t i = 0; i < keywords_.size(); ++i)
            if (keywords_[i] == name) return i;
        if (!create || keywords_.size() >= 3) return std::nullopt;
        keywords_.emplace_back(name);
        return keywords_.size() - 1;
    }
    MessageContent content(size_t index) override {
        if (!fds_.at(index)) throw MailError(ErrorKind::NotFound, "The message no longer exists");
        ++content_calls;
        return MessageContent(fds_[index], {FileRange{0, lengths_[index]}});
    }
    std::unique_ptr<AppendSink> append(const AppendRequest&) override {
        throw MailError(ErrorKind::Invalid, "no append here");
    }
    void set_flags(size_t index, uint32_t flags, KeywordMask keywords) override {
        if (read_only_) throw MailError(ErrorKind::Permission, "read-only");
        if (!fds_.at(index)) throw MailError(ErrorKind::NotFound, "The message no longer exists");
        messages_.at(index).flags = (flags & kStorableFlags) | (messages_[index].flags & kRecent);
        messages_[index].keywords = keywords;
        ++set_flags_calls;
    }
    void expunge(EventSink&, const std::vector<Uid>*) override {}
    void sync(EventSink&, bool) override {}

    // Another program removed the message's file.
    void vanish(size_t index) { fds_.at(index).reset(); }

    int content_calls = 0;
    int set_flags_calls = 0;

private:
    static uint64_t crlf_size(const std::string& b) {
        uint64_t n = b.size();
        for (size_t i = 0; i < b.size(); ++i)
            if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) ++n;
        return n;
    }
    bool read_only_;
    std::vector<std::shared_ptr<const UniqueFd>> fds_;
    std::vector<uint64_t> lengths_;
};

class MemoryTransport : public Transport {
public:
    explicit MemoryTransport(std::string input) : input_(std::move(input)) {}
    size_t read(char* buf, size_t n) override {
        size_t k = input_.copy(buf, n);
        input_.erase(0, k);
        return k;
    }
    bool write(std::string_view data) override {
        output += data;
        largest_write = std::max(largest_write, data.size());
        return true;
    }
    Wait wait(int, int) override { return Wait::Input; }
    std::string output;
    size_t largest_write = 0;

private:
    std::string input_;
};

const std::string kPlain = "From: a@b.c\nSubject: hi\nTo: x@y.z\n\nbody line\n";
const std::string kMultipart =
    "From: a@b.c\nSubject: two\nContent-Type: multipart/mixed; boundary=XX\n\n"
    "--XX\nContent-Type: text/plain\n\npart1\n"
    "--XX\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n"
    "--XX--\n";

// Runs the commands (CRLF added) on a session with `box` selected and
// returns what the server wrote, without the greeting.
std::string run(std::unique_ptr<MemoryMailbox>& box, const std::vector<std::string>& commands,
                MemoryTransport* transport_out = nullptr) {
    std::string input;
    for (const auto& c : commands) input += c + "\r\n";
    MemoryTransport t(input);
    SessionOptions o;
    o.user = "alice";
    {
        Session s(t, o);
        s.greet();
        MemoryMailbox* raw = box.get();
        s.select(std::move(box));
        s.run();
        // Give the mailbox back for inspection: the session still owns it, so
        // copy its state out before it is destroyed.
        auto copy = std::make_unique<MemoryMailbox>(*raw);
        box = std::move(copy);
    }
    if (transport_out) *transport_out = t;
    return t.output.substr(t.output.find("\r\n") + 2);
}

}  // namespace

TEST_CASE("plan_fetch answers small items first, in the client's order, UID first for UID FETCH", "[fetch]") {
    using K = FetchItem::Kind;
    auto item = [](K k) {
        FetchItem f;
        f.kind = k;
        return f;
    };
    FetchItem text;
    text.kind = K::BodySection;
    text.section.text = SectionSpec::Text::Text;
    struct Case {
        std::vector<FetchItem> requested;
        bool uid;
        std::vector<K> expected;
        size_t implicit_flags_at;
    } cases[] = {
        // Observed from Dovecot 2.3: "(ENVELOPE BODYSTRUCTURE UID FLAGS INTERNALDATE RFC822.SIZE)"
        {{item(K::Envelope), item(K::BodyStructure), item(K::Uid), item(K::Flags), item(K::InternalDate),
          item(K::Rfc822Size)},
         false,
         {K::Uid, K::Flags, K::InternalDate, K::Rfc822Size, K::Envelope, K::BodyStructure},
         4},
        {{item(K::InternalDate), item(K::Uid)}, false, {K::InternalDate, K::Uid}, 2},
        {{item(K::InternalDate)}, true, {K::Uid, K::InternalDate}, 2},
        {{item(K::Flags), item(K::Flags), text, text}, false, {K::Flags, K::BodySection, K::BodySection}, 1},
        {{text, item(K::Uid), item(K::Rfc822Size)}, false, {K::Uid, K::Rfc822Size, K::BodySection}, 2},
        {{item(K::Body), item(K::Uid)}, false, {K::Uid, K::Body}, 1},
        {{item(K::Uid), item(K::Uid)}, true, {K::Uid}, 1},
    };
    for (const auto& c : cases) {
        FetchPlan plan = plan_fetch(c.requested, c.uid);
        std::vector<K> kinds;
        for (const auto& i : plan.items) kinds.push_back(i.kind);
        CHECK(kinds == c.expected);
        CHECK(plan.implicit_flags_at == c.implicit_flags_at);
    }
    FetchPlan plan = plan_fetch({item(K::Flags), item(K::InternalDate)}, false);
    CHECK_FALSE(plan.needs_content);
    plan = plan_fetch({item(K::Envelope)}, false);
    CHECK((!plan.needs_content && plan.needs_envelope && !plan.needs_structure));
    plan = plan_fetch({item(K::BodyStructure)}, false);
    CHECK((!plan.needs_content && plan.needs_bodystructure && !plan.needs_structure));
    plan = plan_fetch({text}, false);
    CHECK((plan.needs_structure && plan.sets_seen && !plan.has_flags));
}

TEST_CASE("message_indexes checks sequence numbers and ignores missing UIDs", "[fetch]") {
    MemoryMailbox box({kPlain, kPlain, kPlain});  // UIDs 1 3 5
    struct Case {
        std::string set;
        bool uid;
        std::vector<size_t> expected;
    } cases[] = {
        {"1:*", false, {0, 1, 2}}, {"2", false, {1}},      {"3,1", false, {0, 2}},
        {"*:2", false, {1, 2}},    {"1:*", true, {0, 1, 2}}, {"2:4", true, {1}},
        {"6:9", true, {}},         {"9:*", true, {2}},       {"1,5", true, {0, 2}},
    };
    for (const auto& c : cases) {
        INFO(c.set << (c.uid ? " (UID)" : ""));
        CHECK(message_indexes(box, SequenceSet::parse(c.set), c.uid) == c.expected);
    }
    for (const char* bad : {"4", "1:4", "2,9"})
        CHECK_THROWS_AS(message_indexes(box, SequenceSet::parse(bad), false), ParseError);
    MemoryMailbox empty({});
    CHECK_THROWS_AS(message_indexes(empty, SequenceSet::parse("1:*"), false), ParseError);
    CHECK(message_indexes(empty, SequenceSet::parse("1:*"), true).empty());
}

TEST_CASE("read_header stops at the blank line, in any chunking, and at the bound", "[fetch]") {
    struct Case {
        std::string message, expected;
    } cases[] = {
        {"A: 1\nB: 2\n\nbody\n\nmore", "A: 1\nB: 2\n\n"},
        {"A: 1\r\nB: 2\r\n\r\nbody", "A: 1\r\nB: 2\r\n\r\n"},
        {"\nbody", "\n"},
        {"\r\nbody", "\r\n"},
        {"A: 1\nno blank line", "A: 1\nno blank line"},
        {"", ""},
        {std::string(40000, 'x') + "\n\nbody", std::string(40000, 'x') + "\n\n"},
        {std::string(16383, 'x') + "\n\r\nbody", std::string(16383, 'x') + "\n\r\n"},  // across chunks
        {std::string(16382, 'x') + "\n\nbody", std::string(16382, 'x') + "\n\n"},
    };
    for (const auto& c : cases) {
        auto fd = std::make_shared<UniqueFd>(memory_file(c.message));
        MessageContent content(fd, {FileRange{0, c.message.size()}});
        CHECK(read_header(content, 1 << 20) == c.expected);
    }
    std::string big = std::string(100000, 'y') + "\n\n";
    auto fd = std::make_shared<UniqueFd>(memory_file(big));
    CHECK(read_header(MessageContent(fd, {FileRange{0, big.size()}}), 5000).size() == 5000);
}

TEST_CASE("MessageCache keeps the most recently used messages", "[fetch]") {
    MessageCache cache(2);
    auto part = std::make_shared<const MimePart>(parse_message(kPlain));
    cache.put_structure(1, part);
    cache.put_envelope(2, "(env2)");
    CHECK(cache.structure(1) == part);  // 1 is now the most recent
    cache.put_envelope(3, "(env3)");     // drops 2
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.envelope(2));
    CHECK(cache.structure(1) == part);
    CHECK(cache.envelope(3) == "(env3)");
    CHECK(cache.structure(3) == nullptr);
    cache.clear();
    CHECK(cache.structure(1) == nullptr);
}

TEST_CASE("FETCH answers every item as Dovecot does", "[fetch]") {
    // Expected responses taken from Dovecot 2.3 on the same messages (with
    // its INTERNALDATE and UIDs replaced by this mailbox's).
    struct Case {
        std::string command, expected;
    } cases[] = {
        {"a FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE)",
         "* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE 50 INTERNALDATE \"14-Nov-2023 23:13:20 +0100\")\r\n"},
        {"a UID FETCH 3 RFC822.SIZE", "* 2 FETCH (UID 3 RFC822.SIZE 190)\r\n"},
        {"a FETCH 1 ENVELOPE",
         "* 1 FETCH (ENVELOPE (NIL \"hi\" ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" "
         "\"b.c\")) ((NIL NIL \"x\" \"y.z\")) NIL NIL NIL NIL))\r\n"},
        {"a FETCH 1 (BODY BODYSTRUCTURE)",
         "* 1 FETCH (BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 1) BODYSTRUCTURE "
         "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 1 NIL NIL NIL NIL))\r\n"},
        {"a FETCH 1 (RFC822.HEADER UID)",
         "* 1 FETCH (UID 1 RFC822.HEADER {39}\r\nFrom: a@b.c\r\nSubject: hi\r\nTo: x@y.z\r\n\r\n)\r\n"},
        {"a FETCH 1 BODY.PEEK[HEADER.FIELDS (subject from)]",
         "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {28}\r\nFrom: a@b.c\r\nSubject: hi\r\n\r\n)\r\n"},
        {"a FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (subject from)]",
         "* 1 FETCH (BODY[HEADER.FIELDS.NOT (SUBJECT FROM)] {13}\r\nTo: x@y.z\r\n\r\n)\r\n"},
        {"a FETCH 1 (BODY.PEEK[]<0.10> BODY.PEEK[]<5.1000>)",
         "* 1 FETCH (BODY[]<0> {10}\r\nFrom: a@b. BODY[]<5> {45}\r\n a@b.c\r\nSubject: hi\r\nTo: x@y.z\r\n\r\n"
         "body line\r\n)\r\n"},
        {"a FETCH 2 (BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] "
         "BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT] BODY.PEEK[3] BODY.PEEK[2.1] BODY.PEEK[2.2] "
         "BODY.PEEK[TEXT]<2.5> BODY.PEEK[]<1000.5>)",
         "* 2 FETCH (BODY[2.HEADER] {18}\r\nSubject: inner\r\n\r\n BODY[2.TEXT] {10}\r\ninner body "
         "BODY[1.MIME] {28}\r\nContent-Type: text/plain\r\n\r\n BODY[2.MIME] {32}\r\n"
         "Content-Type: message/rfc822\r\n\r\n BODY[1.HEADER] {0}\r\n BODY[1.TEXT] {0}\r\n BODY[3] {0}\r\n "
         "BODY[2.1] {10}\r\ninner body BODY[2.2] {0}\r\n BODY[TEXT]<2> {5}\r\nXX\r\nC BODY[]<1000> {0}\r\n)\r\n"},
        {"a FETCH 1 FAST",
         "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"14-Nov-2023 23:13:20 +0100\" RFC822.SIZE 50)\r\n"},
    };
    for (const auto& c : cases) {
        INFO(c.command);
        auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain, kMultipart});
        CHECK(run(box, {c.command}) == c.expected + "a OK Fetch completed\r\n");
        CHECK(box->set_flags_calls == 0);  // nothing here sets \Seen
    }
}

TEST_CASE("FETCH of body data sets \\Seen once and sends FLAGS with it", "[fetch]") {
    auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain});
    std::string out = run(box, {"a FETCH 1 BODY[TEXT]", "b FETCH 1 BODY[TEXT]", "c FETCH 1 (FLAGS RFC822.TEXT)"});
    CHECK(out ==
          "* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT] {11}\r\nbody line\r\n)\r\na OK Fetch completed\r\n"
          "* 1 FETCH (BODY[TEXT] {11}\r\nbody line\r\n)\r\nb OK Fetch completed\r\n"
          "* 1 FETCH (FLAGS (\\Seen \\Recent) RFC822.TEXT {11}\r\nbody line\r\n)\r\nc OK Fetch completed\r\n");
    CHECK(box->set_flags_calls == 1);
    CHECK(box->at(0).flags == (kSeen | kRecent));

    auto ro = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain}, true);
    CHECK(run(ro, {"a FETCH 1 RFC822"}) ==
          "* 1 FETCH (RFC822 {50}\r\nFrom: a@b.c\r\nSubject: hi\r\nTo: x@y.z\r\n\r\nbody line\r\n)\r\n"
          "a OK Fetch completed\r\n");
    CHECK(ro->at(0).flags == kRecent);
}

TEST_CASE("FETCH sends NUL bytes as 0x80, as Dovecot does (CHAR8 excludes NUL)", "[fetch]") {
    auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{std::string("A: \0\n\nx\0y\n", 10)});
    CHECK(run(box, {"a FETCH 1 (BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS (A)])"}) ==
          "* 1 FETCH (BODY[TEXT] {5}\r\nx\x80y\r\n BODY[HEADER.FIELDS (A)] {8}\r\nA: \x80\r\n\r\n)\r\n"
          "a OK Fetch completed\r\n");
}

TEST_CASE("FETCH errors: bad sets, unsupported items, vanished messages", "[fetch]") {
    struct Case {
        std::string command, expected;
    } cases[] = {
        {"a FETCH 3 FLAGS", "a BAD Invalid messageset\r\n"},
        {"a FETCH 1:5 FLAGS", "a BAD Invalid messageset\r\n"},
        {"a UID FETCH 4:9 FLAGS", "a OK Fetch completed\r\n"},
        {"a FETCH 1 BINARY[1.TEXT]", "a BAD BINARY takes only a part number\r\n"},  // RFC 3516: part numbers only
        // A mailbox without a modseq file (this one has no Store): BAD (RFC 7162 3.1.2.2).
        {"a FETCH 1 (FLAGS) (CHANGEDSINCE 1)", "a BAD [NOMODSEQ] No mod-sequences in this mailbox\r\n"},
        {"a FETCH 1 BODY[MIME]", "a BAD Invalid section in BODY[]\r\n"},
        // RFC 3501's partial is "<" number "." nz-number ">"; Dovecot accepts <0.0>.
        {"a FETCH 1 BODY[TEXT]<0.0>", "a BAD Expected a non-zero number\r\n"},
        {"a FETCH 1 FROB", "a BAD Unknown fetch attribute FROB\r\n"},
    };
    for (const auto& c : cases) {
        INFO(c.command);
        auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain, kMultipart});
        CHECK(run(box, {c.command}) == c.expected);
    }
    auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain, kMultipart});
    box->vanish(0);
    CHECK(run(box, {"a FETCH 1:2 (UID RFC822.SIZE)", "b FETCH 1:2 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
                    "c FETCH 1:2 BODY[TEXT]"}) ==
          "* 1 FETCH (UID 1 RFC822.SIZE 50)\r\n* 2 FETCH (UID 3 RFC822.SIZE 190)\r\na OK Fetch completed\r\n"
          "* 2 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: two\r\n\r\n)\r\n"
          "b OK [EXPUNGEISSUED] Some messages were already expunged\r\n"
          "* 2 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT] {117}\r\n--XX\r\nContent-Type: text/plain\r\n\r\npart1\r\n"
          "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--XX--\r\n)\r\n"
          "c OK [EXPUNGEISSUED] Some messages were already expunged\r\n");
}

TEST_CASE("FETCH parses a message once for several commands (cache)", "[fetch]") {
    auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kMultipart});
    run(box, {"a FETCH 1 BODYSTRUCTURE", "b FETCH 1 BODY.PEEK[1]", "c FETCH 1 ENVELOPE", "d FETCH 1 ENVELOPE"});
    // The parse and envelope come from the cache after the first; an ENVELOPE
    // or BODYSTRUCTURE found there does not open the message at all.
    CHECK(box->content_calls == 3);
}

TEST_CASE("a large body is streamed in bounded writes", "[fetch]") {
    std::string big = "Subject: big\n\n";
    std::string line(99, 'z');
    while (big.size() < 3 * 1024 * 1024) big += line + "\n";
    auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{big});
    MemoryTransport t("");
    std::string out = run(box, {"a FETCH 1 BODY.PEEK[]"}, &t);
    uint64_t crlf = big.size() + static_cast<uint64_t>(std::count(big.begin(), big.end(), '\n'));
    CHECK(out.starts_with("* 1 FETCH (BODY[] {" + std::to_string(crlf) + "}\r\nSubject: big\r\n"));
    CHECK(out.ends_with("zzz\r\n)\r\na OK Fetch completed\r\n"));
    CHECK(out.size() == 19 + std::to_string(crlf).size() + 3 + crlf + 3 + 22);
    CHECK(t.largest_write < 300 * 1024);
}

TEST_CASE("STORE forms, keywords, and what they answer", "[fetch]") {
    struct Case {
        std::vector<std::string> commands;
        std::string expected;
        uint32_t flags;  // of message 1 afterwards
    } cases[] = {
        {{"a STORE 1 +FLAGS (\\Flagged)"}, "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\na OK Store completed\r\n",
         kFlagged},
        {{"a UID STORE 1:3 FLAGS (\\Seen \\Draft)"},
         "* 1 FETCH (UID 1 FLAGS (\\Seen \\Draft \\Recent))\r\n* 2 FETCH (UID 3 FLAGS (\\Seen \\Draft \\Recent))\r\n"
         "a OK Store completed\r\n",
         kSeen | kDraft},
        {{"a STORE 1:2 +FLAGS.SILENT (\\Deleted)", "b STORE 1 -FLAGS (\\Deleted)"},
         "a OK Store completed\r\n* 1 FETCH (FLAGS (\\Recent))\r\nb OK Store completed\r\n", 0},
        {{"a STORE 1 -FLAGS (\\Seen)"}, "a OK Store completed\r\n", 0},  // unchanged: no FETCH
        {{"a STORE 1 +FLAGS \\Answered"}, "* 1 FETCH (FLAGS (\\Answered \\Recent))\r\na OK Store completed\r\n",
         kAnswered},
        {{"a STORE 1 +FLAGS (\\Recent)"}, "a BAD Invalid system flag \\Recent\r\n", 0},
        {{"a STORE 3 FLAGS ()"}, "a BAD Invalid messageset\r\n", 0},
        {{"a UID STORE 9 FLAGS (\\Seen)"}, "a OK Store completed\r\n", 0},
        {{"a STORE 1 (UNCHANGEDSINCE 5) FLAGS ()"}, "a BAD [NOMODSEQ] No mod-sequences in this mailbox\r\n", 0},
        {{"a STORE 1 +FLAGS (foo $Old)"},
         "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old foo)\r\n"
         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old foo \\*)] Flags permitted.\r\n"
         "* 1 FETCH (FLAGS (\\Recent $Old foo))\r\na OK Store completed\r\n",
         0},
        {{"a STORE 1 -FLAGS (bar)"}, "a OK Store completed\r\n", 0},  // removing an unknown keyword
        {{"a STORE 1 FLAGS (k1 k2 k3)"},
         "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old k1 k2)\r\n"
         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old k1 k2 \\*)] Flags permitted.\r\n"
         "a NO [LIMIT] Too many keywords in this mailbox\r\n",
         0},
    };
    for (const auto& c : cases) {
        INFO(c.commands[0]);
        auto box = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain, kMultipart});
        CHECK(run(box, c.commands) == c.expected);
        CHECK((box->at(0).flags & kStorableFlags) == c.flags);
    }
    auto ro = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain}, true);
    CHECK(run(ro, {"a STORE 1 +FLAGS (\\Seen)"}) == "a OK Store ignored with read-only mailbox.\r\n");
    auto gone = std::make_unique<MemoryMailbox>(std::vector<std::string>{kPlain, kPlain});
    gone->vanish(0);
    CHECK(run(gone, {"a STORE 1:2 +FLAGS (\\Seen)"}) ==
          "* 2 FETCH (FLAGS (\\Seen \\Recent))\r\na OK Store completed\r\n");  // as Dovecot (RFC 2180 4.2.1)
}
