// IMAP4rev2 (RFC 9051): when it is advertised, and the same commands
// answered before and after ENABLE IMAP4rev2 by a session on a temporary
// maildir.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "imapd/commands/command_table.hpp"
#include "imapd/session/protocol_mode.hpp"
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
        char tmpl[] = "/tmp/rev2-test-XXXXXX";
        root = ::mkdtemp(tmpl);
        root += "/Maildir";
    }
    ~TempMaildir() { std::filesystem::remove_all(std::filesystem::path(root).parent_path()); }
};

// The server's table; while UTF8=ACCEPT (whose UTF-8 names IMAP4rev2
// includes) is not in it, a row that only advertises it stands in, so that
// the rev2 switches can be tested on their own.
std::vector<CommandSpec> table_with_utf8() {
    std::vector<CommandSpec> rows(command_table().begin(), command_table().end());
    bool has = false;
    for (const CommandSpec& r : rows)
        if (r.capability.find("UTF8=ACCEPT") != std::string_view::npos) has = true;
    if (!has) rows.push_back({"X-UTF8-STANDIN", kAuthenticated, 0, nullptr, nullptr, "UTF8=ACCEPT"});
    return rows;
}

// tag -> its untagged responses and, last, its tagged response.
using Transcript = std::map<std::string, std::vector<std::string>>;

Transcript run(const TempMaildir& dir, const std::string& commands) {
    ScriptTransport t(commands);
    SessionOptions o;
    o.user = "alice";
    std::vector<CommandSpec> table = table_with_utf8();
    Session s(t, o, table);
    s.set_store(std::make_unique<mail::Store>(mail::StoreLocation{"maildir", dir.root, "", ""}));
    s.greet();
    s.run();
    Transcript out;
    std::vector<std::string> pending;
    std::string all = t.output.substr(t.output.find("\r\n") + 2);
    for (size_t pos = 0; pos < all.size();) {
        size_t end = all.find("\r\n", pos);
        std::string line = all.substr(pos, end - pos);
        pos = end + 2;
        if (line.rfind("+ ", 0) == 0) continue;
        if (line.rfind("* OK [UIDVALIDITY ", 0) == 0) continue;  // differs per run
        if (line.rfind("* OK [MAILBOXID ", 0) == 0) continue;  // random
        pending.push_back(line);
        if (line[0] != '*') {
            out[line.substr(0, line.find(' '))] = std::move(pending);
            pending.clear();
        }
    }
    return out;
}

const std::string kMessage = "Subject: hi\r\n\r\nbody\r\n";  // 21 bytes

std::string append(const std::string& tag, const std::string& flags = "") {
    return tag + " APPEND INBOX" + flags + " {21+}\r\n" + kMessage + "\r\n";
}

// The same script, with ENABLE IMAP4rev2 (tag "c") or without.
std::string script(bool rev2) {
    return append("a", " (\\Deleted)") + append("b") + (rev2 ? "c ENABLE IMAP4rev2\r\n" : "") +
           "d SELECT INBOX\r\n"
           "e FETCH 1:* FLAGS\r\n"
           "f SEARCH UNDELETED\r\n"
           "g UID SEARCH UNDELETED\r\n"
           "h SEARCH SUBJECT nomatch\r\n"
           "i STATUS INBOX (MESSAGES DELETED UNSEEN)\r\n"
           "j STATUS INBOX (RECENT)\r\n"
           "k STORE 2 +FLAGS (\\Flagged)\r\n" +
           append("l") +
           "m SEARCH RETURN (COUNT) ALL\r\n"
           "n SELECT INBOX\r\n";
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("rev2: the requirements missing from a capability list", "[rev2]") {
    const std::string all =
        "IMAP4rev1 LITERAL+ ENABLE IDLE NAMESPACE UNSELECT UIDPLUS ESEARCH SEARCHRES MOVE BINARY "
        "LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE UTF8=ACCEPT";
    struct Case {
        std::string caps;
        std::vector<std::string_view> missing;
    } cases[] = {
        {all, {}},
        {all + " SORT QUOTA", {}},
        {"IMAP4rev1 LITERAL+ ENABLE IDLE NAMESPACE UNSELECT UIDPLUS ESEARCH SEARCHRES MOVE BINARY "
         "LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS=SIZE",
         {"UTF8=ACCEPT"}},
        {"IMAP4rev1 LITERAL- ENABLE", {"LITERAL+", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "ESEARCH",
                                       "SEARCHRES", "MOVE", "BINARY", "LIST-EXTENDED", "LIST-STATUS",
                                       "SPECIAL-USE", "STATUS=SIZE", "UTF8=ACCEPT"}},
        {"", rev2_requirements()},
        // Words are compared whole: a prefix or a longer word is not the capability.
        {"IMAP4rev1 LITERAL+ ENABLE IDLE NAMESPACE UNSELECT UIDPLUS ESEARCHX SEARCHRES MOVE BINARY "
         "LIST-EXTENDED LIST-STATUS SPECIAL-USE STATUS UTF8=ACCEPT",
         {"ESEARCH", "STATUS=SIZE"}},
    };
    for (const Case& c : cases) {
        INFO(c.caps);
        CHECK(missing_rev2_requirements(c.caps) == c.missing);
    }
}

TEST_CASE("rev2: \\Recent is hidden only in IMAP4rev2 mode", "[rev2]") {
    struct Case {
        uint32_t flags;
        bool rev2;
        uint32_t visible;
    } cases[] = {
        {mail::kRecent, false, mail::kRecent},
        {mail::kRecent, true, 0},
        {mail::kSeen | mail::kRecent | mail::kDeleted, true, mail::kSeen | mail::kDeleted},
        {mail::kSeen | mail::kDraft, true, mail::kSeen | mail::kDraft},
        {0, true, 0},
    };
    for (const Case& c : cases) CHECK(visible_flags(c.flags, c.rev2) == c.visible);
}

TEST_CASE("rev2: advertised beside IMAP4rev1 and enabled by ENABLE", "[rev2]") {
    TempMaildir dir;
    Transcript t = run(dir, "a CAPABILITY\r\nb ENABLE IMAP4rev2 FOO\r\nc ENABLE IMAP4rev2\r\n");
    REQUIRE(t["a"].size() == 2);
    CHECK(t["a"][0].rfind("* CAPABILITY IMAP4rev1 IMAP4rev2 ", 0) == 0);
    CHECK(t["b"] == Lines{"* ENABLED IMAP4rev2", "b OK ENABLE completed"});
    CHECK(t["c"] == Lines{"* ENABLED", "c OK ENABLE completed"});  // already on
}

TEST_CASE("rev2: the same commands before and after ENABLE IMAP4rev2", "[rev2]") {
    TempMaildir rev1_dir, rev2_dir;
    Transcript r1 = run(rev1_dir, script(false));
    Transcript r2 = run(rev2_dir, script(true));
    const std::string flags = "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)";
    const std::string permanent =
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.";
    struct Case {
        std::string tag;
        Lines rev1, rev2;
    } cases[] = {
        // SELECT: RECENT and the UNSEEN code go; a LIST response comes (RFC 9051 6.3.2).
        {"d",
         {flags, permanent, "* 2 EXISTS", "* 2 RECENT", "* OK [UNSEEN 1] First unseen.",
          "* OK [UIDNEXT 3] Predicted next UID", "d OK [READ-WRITE] Select completed"},
         {flags, permanent, "* 2 EXISTS", "* LIST () \"/\" INBOX", "* OK [UIDNEXT 3] Predicted next UID",
          "d OK [READ-WRITE] Select completed"}},
        {"e",
         {"* 1 FETCH (FLAGS (\\Deleted \\Recent))", "* 2 FETCH (FLAGS (\\Recent))", "e OK Fetch completed"},
         {"* 1 FETCH (FLAGS (\\Deleted))", "* 2 FETCH (FLAGS ())", "e OK Fetch completed"}},
        // SEARCH answers ESEARCH with ALL (RFC 9051 6.4.4.1), UID for UID SEARCH, nothing when empty.
        {"f", {"* SEARCH 2", "f OK SEARCH completed"}, {"* ESEARCH (TAG \"f\") ALL 2", "f OK SEARCH completed"}},
        {"g",
         {"* SEARCH 2", "g OK UID SEARCH completed"},
         {"* ESEARCH (TAG \"g\") UID ALL 2", "g OK UID SEARCH completed"}},
        {"h", {"* SEARCH", "h OK SEARCH completed"}, {"* ESEARCH (TAG \"h\")", "h OK SEARCH completed"}},
        // STATUS DELETED in both; RECENT is gone from IMAP4rev2.
        {"i",
         {"* STATUS INBOX (MESSAGES 2 UNSEEN 2 DELETED 1)", "i OK Status completed"},
         {"* STATUS INBOX (MESSAGES 2 UNSEEN 2 DELETED 1)", "i OK Status completed"}},
        {"j",
         {"* STATUS INBOX (RECENT 2)", "j OK Status completed"},
         {"j BAD RECENT is not a STATUS item in IMAP4rev2"}},
        {"k",
         {"* 2 FETCH (FLAGS (\\Flagged \\Recent))", "k OK Store completed"},
         {"* 2 FETCH (FLAGS (\\Flagged))", "k OK Store completed"}},
        // RETURN options are answered the same way in both.
        {"m", {"* ESEARCH (TAG \"m\") COUNT 3", "m OK SEARCH completed"},
         {"* ESEARCH (TAG \"m\") COUNT 3", "m OK SEARCH completed"}},
    };
    for (const Case& c : cases) {
        INFO("tag " << c.tag);
        CHECK(r1[c.tag] == c.rev1);
        CHECK(r2[c.tag] == c.rev2);
    }
    // A message appended to the selected mailbox: EXISTS, and RECENT only in rev1.
    CHECK(r1["m"] != Lines{});
    auto contains = [](const Lines& lines, const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    CHECK(contains(r1["l"], "* 3 EXISTS"));
    CHECK(contains(r1["l"], "* 3 RECENT"));
    CHECK(contains(r2["l"], "* 3 EXISTS"));
    CHECK_FALSE(contains(r2["l"], "* 3 RECENT"));
    // Selecting again closes the previous mailbox first, in both modes.
    REQUIRE(!r1["n"].empty());
    CHECK(r1["n"][0] == "* OK [CLOSED] Previous mailbox closed.");
    CHECK(r2["n"][0] == "* OK [CLOSED] Previous mailbox closed.");
    for (const std::string& line : r2["n"]) CHECK(line.find("RECENT") == std::string::npos);
}

TEST_CASE("rev2: LIST levels, STATUS items in LIST, SEARCH with MODSEQ", "[rev2]") {
    TempMaildir dir;
    Transcript t = run(dir, "a CREATE x/y\r\n"
                            "b LIST \"\" \"x\"\r\n"
                            "c ENABLE IMAP4rev2 CONDSTORE\r\n"
                            "d LIST \"\" \"x\"\r\n"
                            "e LIST \"\" \"x/*\" RETURN (STATUS (MESSAGES RECENT))\r\n"
                            "f LIST \"\" \"x/*\" RETURN (STATUS (MESSAGES DELETED))\r\n" +
                                append("g") + append("h") +
                                "i SELECT INBOX\r\n"
                                "j STORE 1 +FLAGS.SILENT (\\Seen)\r\n"
                                "k SEARCH MODSEQ 1\r\n"
                                "l SEARCH RETURN (MIN) MODSEQ 1\r\n"
                                "m SEARCH MODSEQ 9223372036854775807\r\n");
    // A maildir's implied level: \Noselect in rev1's LIST, \NonExistent in rev2's.
    CHECK(t["b"] == Lines{"* LIST (\\Noselect \\HasChildren) \"/\" x", "b OK List completed"});
    CHECK(t["c"] == Lines{"* ENABLED IMAP4rev2 CONDSTORE", "c OK ENABLE completed"});
    CHECK(t["d"] == Lines{"* LIST (\\NonExistent \\HasChildren) \"/\" x", "d OK List completed"});
    CHECK(t["e"] == Lines{"e BAD RECENT is not a STATUS item in IMAP4rev2"});
    CHECK(t["f"] == Lines{"* LIST () \"/\" x/y", "* STATUS x/y (MESSAGES 0 DELETED 0)", "f OK List completed"});
    // MODSEQ ends the ESEARCH answer: the highest of the messages returned.
    REQUIRE(t["k"].size() == 2);
    REQUIRE(t["l"].size() == 2);
    std::string all = t["k"][0], min = t["l"][0];
    CHECK(all.rfind("* ESEARCH (TAG \"k\") ALL 1:2 MODSEQ ", 0) == 0);
    CHECK(min.rfind("* ESEARCH (TAG \"l\") MIN 1 MODSEQ ", 0) == 0);
    // Message 1 was changed last: its modseq is the highest, for ALL and for MIN.
    CHECK(all.substr(all.rfind(' ')) == min.substr(min.rfind(' ')));
    CHECK(t["m"] == Lines{"* ESEARCH (TAG \"m\")", "m OK SEARCH completed"});
}
