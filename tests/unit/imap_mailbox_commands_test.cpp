// The mailbox commands (SELECT, LIST, STATUS, APPEND, COPY...) over a memory
// transport on a temporary maildir, and their pure helpers.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/session.hpp"

using namespace mail::imapd;

namespace {

class ScriptTransport : public Transport {
public:
    explicit ScriptTransport(std::string input) : input_(std::move(input)) {}
    size_t read(char* buf, size_t n) override {
        size_t k = std::min(n, input_.size() - pos_);
        input_.copy(buf, k, pos_);
        pos_ += k;
        return k;
    }
    bool write(std::string_view data) override {
        output += data;
        return true;
    }
    Wait wait(int, int) override { return Wait::Input; }
    std::string output;

private:
    std::string input_;
    size_t pos_ = 0;
};

struct TempMaildir {
    std::string root;
    TempMaildir() {
        char tmpl[] = "/tmp/mboxcmds-test-XXXXXX";
        root = ::mkdtemp(tmpl);
        root += "/Maildir";
    }
    ~TempMaildir() { std::filesystem::remove_all(std::filesystem::path(root).parent_path()); }
};

// Runs the commands (CRLF-terminated) in one preauthenticated session on the
// maildir; returns everything after the greeting.
std::string run(const TempMaildir& dir, const std::string& commands, uint64_t max_message = 1 << 20) {
    ScriptTransport t(commands);
    SessionOptions o;
    o.user = "alice";
    o.limits.max_message = max_message;
    Session s(t, o);
    s.set_store(std::make_unique<mail::Store>(mail::StoreLocation{"maildir", dir.root, "", ""}));
    s.greet();
    s.run();
    return t.output.substr(t.output.find("\r\n") + 2);
}

bool has_line(const std::string& out, const std::string& line) {
    return out.find(line + "\r\n") != std::string::npos;
}

const std::string kMessage = "Subject: hi\r\n\r\nbody\r\n";  // 21 bytes

std::string append(const std::string& tag, const std::string& mailbox, const std::string& extra = "") {
    return tag + " APPEND " + mailbox + extra + " {21+}\r\n" + kMessage + "\r\n";
}

}  // namespace

TEST_CASE("uid_set_text compresses runs", "[mboxcmds]") {
    struct {
        std::vector<mail::Uid> uids;
        std::string text;
    } cases[] = {
        {{}, ""},
        {{7}, "7"},
        {{1, 2, 3}, "1:3"},
        {{1, 2, 3, 5, 9, 10}, "1:3,5,9:10"},
        {{4, 3}, "4,3"},  // order kept: COPYUID pairs positionally
    };
    for (const auto& c : cases) CHECK(uid_set_text(c.uids) == c.text);
}

TEST_CASE("mailbox_astring writes atoms bare and quotes the rest", "[mboxcmds]") {
    struct {
        std::string name, text;
    } cases[] = {
        {"INBOX", "INBOX"},
        {"a/b", "a/b"},
        {"x y", "\"x y\""},
        {"", "\"\""},
        {"NIL", "\"NIL\""},
        {"a\"b", "\"a\\\"b\""},
        {"50%", "\"50%\""},
    };
    for (const auto& c : cases) CHECK(mailbox_astring(c.name) == c.text);
}

TEST_CASE("SELECT answers FLAGS, EXISTS, UIDVALIDITY, UIDNEXT and READ-WRITE", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, append("a", "INBOX", " (\\Seen)") + append("b", "INBOX") +
                                   "c SELECT inbox\r\nd EXAMINE INBOX\r\ne SELECT nosuch\r\nf CHECK\r\n");
    CHECK(has_line(out, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"));
    CHECK(has_line(out, "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted."));
    CHECK(has_line(out, "* 2 EXISTS"));
    CHECK(has_line(out, "* OK [UNSEEN 2] First unseen."));
    CHECK(has_line(out, "* OK [UIDNEXT 3] Predicted next UID"));
    CHECK(has_line(out, "c OK [READ-WRITE] Select completed"));
    CHECK(has_line(out, "* OK [PERMANENTFLAGS ()] Read-only mailbox."));
    CHECK(has_line(out, "d OK [READ-ONLY] Examine completed"));
    CHECK(out.find("e NO ") != std::string::npos);
    // A failed SELECT leaves nothing selected.
    CHECK(has_line(out, "f BAD CHECK needs a selected mailbox"));
}

TEST_CASE("APPEND gives APPENDUID; MULTIAPPEND is all or nothing", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, append("a", "INBOX") +
                                   "b APPEND INBOX {21+}\r\n" + kMessage + " {21+}\r\n" + kMessage + "\r\n" +
                                   // The second message is empty: refused, and the first is not kept.
                                   "c APPEND INBOX {21+}\r\n" + kMessage + " {0+}\r\n\r\n" +
                                   append("d", "nosuch") + "e STATUS INBOX (MESSAGES UIDNEXT)\r\n");
    CHECK(out.find("a OK [APPENDUID ") != std::string::npos);
    CHECK(out.find(" 1] Append completed\r\n") != std::string::npos);
    CHECK(out.find(" 2:3] Append completed\r\n") != std::string::npos);
    CHECK(out.find("c NO ") != std::string::npos);
    CHECK(out.find("d NO [TRYCREATE] ") != std::string::npos);
    CHECK(has_line(out, "* STATUS INBOX (MESSAGES 3 UIDNEXT 4)"));
}

TEST_CASE("APPEND over max_message_size is TOOBIG and stores nothing", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, "a APPEND INBOX {21+}\r\n" + kMessage + "\r\nb STATUS INBOX (MESSAGES)\r\n", 10);
    CHECK(out.find("a NO [TOOBIG]") != std::string::npos);
    CHECK(has_line(out, "* STATUS INBOX (MESSAGES 0)"));
}

TEST_CASE("APPEND to the selected mailbox shows as EXISTS", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, "a SELECT INBOX\r\n" + append("b", "INBOX"));
    auto exists = out.find("* 1 EXISTS\r\n* 1 RECENT\r\nb OK [APPENDUID ");  // as Dovecot
    CHECK(exists != std::string::npos);
}

TEST_CASE("COPY and MOVE keep flags and keywords and give COPYUID", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, append("a", "INBOX", " (\\Flagged $Work)") + append("b", "INBOX") +
                                   "c CREATE t\r\nd SELECT INBOX\r\ne COPY 1 nosuch\r\nf COPY 1:2 t\r\n"
                                   "g UID MOVE 2 t\r\nh COPY 5 t\r\ni SELECT t\r\n");
    CHECK(out.find("e NO [TRYCREATE] ") != std::string::npos);
    CHECK(out.find(" 1:2 1:2] Copy completed\r\n") != std::string::npos);
    // RECENT follows the expunge of a recent message, as Dovecot sends it.
    CHECK(out.find(" 2 3] Moved UIDs.\r\n* 2 EXPUNGE\r\n* 1 RECENT\r\ng OK Move completed\r\n") != std::string::npos);
    CHECK(out.find("h BAD ") != std::string::npos);
    CHECK(has_line(out, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)"));
    CHECK(has_line(out, "* 3 EXISTS"));
}

TEST_CASE("LIST, LSUB and the hierarchy", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, "a CREATE a/b/c\r\nb CREATE d/\r\nc LIST \"\" \"\"\r\nd LIST \"\" %\r\n"
                               "e SUBSCRIBE a/b/c\r\nf LSUB \"\" %\r\ng CREATE inbox\r\nh DELETE INBOX\r\n"
                               "i RENAME d e\r\nj LIST \"\" *\r\nk UNSUBSCRIBE nothing\r\n");
    CHECK(has_line(out, "* LIST (\\Noselect) \"/\" \"\""));
    CHECK(has_line(out, "* LIST (\\Noselect \\HasChildren) \"/\" a"));
    CHECK(has_line(out, "* LIST (\\HasNoChildren) \"/\" d"));
    CHECK(has_line(out, "* LIST (\\HasNoChildren) \"/\" INBOX"));
    CHECK(has_line(out, "* LSUB (\\Noselect) \"/\" a"));
    CHECK(out.find("g NO [ALREADYEXISTS]") != std::string::npos);
    CHECK(out.find("h NO ") != std::string::npos);
    CHECK(has_line(out, "* LIST (\\HasNoChildren) \"/\" e"));
    CHECK(has_line(out, "* LIST (\\HasNoChildren) \"/\" a/b/c"));
    CHECK(out.find("\"/\" d\r\n* LIST", out.find("j ")) == std::string::npos);
    CHECK(has_line(out, "k OK Unsubscribe completed"));
}

TEST_CASE("EXPUNGE, UID EXPUNGE and CLOSE", "[mboxcmds]") {
    TempMaildir dir;
    std::string out = run(dir, append("a", "INBOX", " (\\Deleted)") + append("b", "INBOX", " (\\Deleted)") +
                                   append("c", "INBOX", " (\\Deleted)") + append("d", "INBOX") +
                                   "e SELECT INBOX\r\nf UID EXPUNGE 2\r\ng EXPUNGE\r\nh CLOSE\r\n"
                                   "i STATUS INBOX (MESSAGES)\r\n");
    CHECK(out.find("* 2 EXPUNGE\r\n* 3 RECENT\r\nf OK") != std::string::npos);
    CHECK(out.find("* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 RECENT\r\ng OK") != std::string::npos);
    CHECK(has_line(out, "h OK Close completed"));
    CHECK(has_line(out, "* STATUS INBOX (MESSAGES 1)"));
}
