#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

#include "imapd/session/session.hpp"
#include "util/error.hpp"

using namespace mail::imapd;

namespace {

// Input arrives in the given chunks, one per read(); every write() is kept
// separately so that tests can see what was flushed when.
class MemoryTransport : public Transport {
public:
    explicit MemoryTransport(std::vector<std::string> chunks) : chunks_(chunks.begin(), chunks.end()) {}
    size_t read(char* buf, size_t n) override {
        if (chunks_.empty()) return 0;
        std::string& c = chunks_.front();
        size_t k = std::min(n, c.size());
        c.copy(buf, k);
        c.erase(0, k);
        if (c.empty()) chunks_.pop_front();
        return k;
    }
    bool write(std::string_view data) override {
        writes.emplace_back(data);
        return true;
    }
    Wait wait(int, int) override { return time_out ? Wait::Timeout : Wait::Input; }

    std::string output() const {
        std::string all;
        for (const auto& w : writes) all += w;
        return all;
    }
    std::vector<std::string> writes;
    bool time_out = false;

private:
    std::deque<std::string> chunks_;
};

SessionOptions preauth() {
    SessionOptions o;
    o.user = "alice";
    return o;
}

std::string run_session(MemoryTransport& t, SessionOptions options = preauth(),
                        std::span<const CommandSpec> table = {}) {
    Session s(t, options, table);
    s.greet();
    s.run();
    std::string out = t.output();
    return out.substr(out.find("\r\n") + 2);  // without the greeting
}

}  // namespace

TEST_CASE("session greets and answers the commands that need no mailbox", "[imapd]") {
    MemoryTransport t({"a CAPABILITY\r\n", "b NOOP\r\n", "c ID NIL\r\n", "d NAMESPACE\r\n",
                       "e ENABLE CONDSTORE\r\n", "f LOGOUT\r\n", "g NOOP\r\n"});
    std::string out = run_session(t);
    CHECK(t.writes[0] ==
          "* PREAUTH [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE UTF8=ACCEPT NAMESPACE IDLE COMPRESS=DEFLATE BINARY ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES CONDSTORE QRESYNC "
          "CREATE-SPECIAL-USE OBJECTID CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE MULTIAPPEND APPENDLIMIT=1610612736 QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE UNSELECT UIDPLUS MOVE] Logged in as alice\r\n");
    CHECK(out ==
          "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE UTF8=ACCEPT NAMESPACE IDLE COMPRESS=DEFLATE BINARY ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES CONDSTORE QRESYNC "
          "CREATE-SPECIAL-USE OBJECTID CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE MULTIAPPEND APPENDLIMIT=1610612736 QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE UNSELECT UIDPLUS MOVE\r\na OK CAPABILITY completed\r\n"
          "b OK NOOP completed\r\n"
          "* ID (\"name\" \"imapd\" \"vendor\" \"imapd\" \"version\" \"0.1\")\r\nc OK ID completed\r\n"
          "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nd OK NAMESPACE completed\r\n"
          "* ENABLED CONDSTORE\r\ne OK ENABLE completed\r\n"
          "* BYE Logging out\r\nf OK LOGOUT completed\r\n");
}

TEST_CASE("session errors get clear BAD responses", "[imapd]") {
    struct Case {
        std::string input, output;
    } cases[] = {
        {"a FROB\r\n", "a BAD Unknown command FROB\r\n"},
        {"a UID NOOP\r\n", "a BAD UID NOOP is not a command\r\n"},
        {"a NOOP extra\r\n", "a BAD Unexpected extra arguments\r\n"},
        {"a LOGIN bob secret\r\n", "a BAD Already logged in\r\n"},
        {"a ID (\"k\")\r\n", "a BAD Expected a space\r\n"},
        {"a ENABLE\r\n", "a BAD Missing arguments\r\n"},
        {"a APPEND INBOX\r\n", "a BAD APPEND needs a message literal\r\n"},
    };
    for (const auto& c : cases) {
        MemoryTransport t({c.input});
        CHECK(run_session(t) == c.output);
    }
}

TEST_CASE("pipelined commands are answered in order, in one write", "[imapd]") {
    MemoryTransport t({"a NOOP\r\nb FROB\r\nc NOOP\r\n"});
    std::string out = run_session(t);
    CHECK(out == "a OK NOOP completed\r\nb BAD Unknown command FROB\r\nc OK NOOP completed\r\n");
    CHECK(t.writes.size() == 2);  // the greeting, then all three responses
}

TEST_CASE("each response is flushed before the session waits for input", "[imapd]") {
    MemoryTransport t({"a NOOP\r\n", "b NOOP\r\n"});
    run_session(t);
    REQUIRE(t.writes.size() == 3);
    CHECK(t.writes[1] == "a OK NOOP completed\r\n");
    CHECK(t.writes[2] == "b OK NOOP completed\r\n");
}

TEST_CASE("a synchronizing literal gets a continuation before its data is read", "[imapd]") {
    MemoryTransport t({"a ID (\"name\" {3}\r\n", "abc)\r\n"});
    std::string out = run_session(t);
    REQUIRE(t.writes.size() == 3);
    CHECK(t.writes[1] == "+ Ready for literal data\r\n");
    CHECK(t.writes[2].ends_with("a OK ID completed\r\n"));
}

TEST_CASE("twenty bad commands in a row end the session", "[imapd]") {
    std::string input;
    for (int i = 0; i < 19; ++i) input += "x FROB\r\n";
    MemoryTransport ok({input + "y NOOP\r\n" + input + "z NOOP\r\n"});
    CHECK(run_session(ok).ends_with("z OK NOOP completed\r\n"));
    MemoryTransport t({input + "x FROB\r\nz NOOP\r\n"});
    std::string out = run_session(t);
    CHECK(out.ends_with("x BAD Unknown command FROB\r\n* BYE Too many invalid commands\r\n"));
    CHECK(out.find("z OK") == std::string::npos);
}

TEST_CASE("commands sent with no mailbox selected do not count as bad ones", "[imapd]") {
    // As Dovecot: a client pipelining FETCHes after a failed SELECT gets BAD
    // for each, not a BYE; such a BAD ends a run of bad commands.
    std::string input;
    for (int i = 0; i < 30; ++i) input += "f FETCH 1 FLAGS\r\n";
    for (int i = 0; i < 15; ++i) input += "x FROB\r\n";
    input += "f FETCH 1 FLAGS\r\n";
    for (int i = 0; i < 15; ++i) input += "x FROB\r\n";
    MemoryTransport t({input + "z NOOP\r\n"});
    std::string out = run_session(t);
    CHECK(out.ends_with("z OK NOOP completed\r\n"));
    CHECK(out.find("BYE") == std::string::npos);
}

TEST_CASE("autologout after the idle time", "[imapd]") {
    MemoryTransport t({});
    t.time_out = true;
    CHECK(run_session(t) == "* BYE Autologout; idle for too long\r\n");
}

TEST_CASE("IDLE ends with DONE", "[imapd]") {
    MemoryTransport t({"a IDLE\r\n", "DONE\r\n", "b IDLE\r\nnope\r\n"});
    CHECK(run_session(t) == "+ idling\r\na OK IDLE terminated\r\n+ idling\r\nb BAD Expected DONE to end IDLE\r\n");
}

namespace {

// A mailbox that only records how it was synced (it dies with the session).
std::vector<bool> g_syncs;

class FakeMailbox : public mail::Mailbox {
public:
    bool read_only() const override { return false; }
    mail::Uid uidvalidity() const override { return 1; }
    mail::Uid uidnext() const override { return 2; }
    std::optional<size_t> keyword_bit(std::string_view, bool) override { return std::nullopt; }
    mail::MessageContent content(size_t) override { return {}; }
    std::unique_ptr<mail::AppendSink> append(const mail::AppendRequest&) override { return nullptr; }
    void set_flags(size_t, uint32_t, mail::KeywordMask) override {}
    void expunge(mail::EventSink&, const std::vector<mail::Uid>*) override {}
    void sync(mail::EventSink& sink, bool allow_expunge) override {
        g_syncs.push_back(allow_expunge);
        if (allow_expunge) sink.expunged(1);
    }
};

Reply fake_select(CommandContext& ctx) {
    ctx.session.select(std::make_unique<FakeMailbox>());
    return Reply::ok("[READ-WRITE] SELECT completed");
}

Reply fake_fetch(CommandContext& ctx) {
    ctx.args.sequence_set();
    return Reply::ok("FETCH completed");
}

// An APPEND that keeps the messages it was given.
struct Appended {
    std::vector<std::string> messages;
    bool committed = false;
} g_appended;

class FakeAppend : public AppendTransaction {
public:
    void begin(const AppendMessage& m) override {
        if (m.mailbox == "Nope") throw mail::MailError(mail::ErrorKind::NotFound, "No such mailbox");
        g_appended.messages.emplace_back();
    }
    void write(std::string_view bytes) override { g_appended.messages.back() += bytes; }
    void end_message() override {}
    Reply finish() override {
        g_appended.committed = true;
        return Reply::ok("[APPENDUID 1 1] APPEND completed");
    }
};

std::unique_ptr<AppendTransaction> start_append(Session&, const AppendMessage&) {
    return std::make_unique<FakeAppend>();
}

const CommandSpec kTestTable[] = {
    {"NOOP", kAnyState, 0, [](CommandContext&) { return Reply::ok("NOOP completed"); }},
    {"SELECT", kAuthenticated, 0, fake_select},
    {"FETCH", kSelected, kUidForm | kUsesSequenceNumbers, fake_fetch},
    {"APPEND", kAuthenticated, 0, nullptr, start_append, "MULTIAPPEND"},
};

}  // namespace

TEST_CASE("no untagged EXPUNGE during FETCH, but during UID FETCH and NOOP", "[imapd]") {
    g_syncs.clear();
    MemoryTransport t({"a SELECT x\r\nb FETCH 1\r\nc UID FETCH 1\r\nd NOOP\r\ne FETCH 1\r\n"});
    std::string out = run_session(t, preauth(), kTestTable);
    CHECK(g_syncs == std::vector<bool>{true, false, true, true, false});
    CHECK(out ==
          "* 1 EXPUNGE\r\na OK [READ-WRITE] SELECT completed\r\nb OK FETCH completed\r\n"
          "* 1 EXPUNGE\r\nc OK FETCH completed\r\n* 1 EXPUNGE\r\nd OK NOOP completed\r\n"
          "e OK FETCH completed\r\n");
}

TEST_CASE("FETCH before SELECT is refused", "[imapd]") {
    MemoryTransport t({"a FETCH 1 FLAGS\r\n"});
    CHECK(run_session(t, preauth(), kTestTable) == "a BAD FETCH needs a selected mailbox\r\n");
}

TEST_CASE("APPEND streams its messages to the transaction", "[imapd]") {
    g_appended = {};
    MemoryTransport t({"a APPEND INBOX {5}\r\n", "hel", "lo (\\Seen) {3+}\r\nabc\r\n",
                       "b APPEND Nope {5}\r\n", "c NOOP\r\n"});
    std::string out = run_session(t, preauth(), kTestTable);
    CHECK(g_appended.messages == std::vector<std::string>{"hello", "abc"});
    CHECK(g_appended.committed);
    CHECK(out ==
          "+ Ready for message data\r\na OK [APPENDUID 1 1] APPEND completed\r\n"
          "b NO [NONEXISTENT] No such mailbox\r\nc OK NOOP completed\r\n");
}

TEST_CASE("APPEND without a message literal is BAD", "[imapd]") {
    MemoryTransport t({"a APPEND INBOX\r\n"});
    CHECK(run_session(t, preauth(), kTestTable) == "a BAD APPEND needs a message literal\r\n");
}
