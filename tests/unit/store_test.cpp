#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "mailbox/store.hpp"
#include "util/error.hpp"

using namespace mail;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/store-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<std::string> names(const std::vector<ListEntry>& l) {
    std::vector<std::string> out;
    for (const auto& e : l) out.push_back(e.name);
    return out;
}

}  // namespace

TEST_CASE("mailbox names that would leave the mail area are refused", "[maildir]") {
    const char* bad[] = {
        "", "/etc/passwd", "~root/x", "a/../b", "..", "a/./b", "a//b", ".hidden", "a/.b", "a\x01", "a\x7f",
        "a*", "b%", "caf\xc3\xa9", "a&AAA", "a\\b",
    };
    for (const char* n : bad) {
        INFO(n);
        CHECK_THROWS_AS(validate_mailbox_name(n), MailError);
    }
    CHECK_THROWS_AS(validate_mailbox_name(std::string(256, 'a')), MailError);
    const char* good[] = {"INBOX", "a/b/c", "Sent", "a/", "&AOk-t&AOk-", "x-y_z 1", "a.b"};
    for (const char* n : good) {
        INFO(n);
        CHECK_NOTHROW(validate_mailbox_name(n));
    }
    CHECK_NOTHROW(validate_mailbox_name(std::string(255, 'a')));
    CHECK(canonical_mailbox_name("inbox") == "INBOX");
    CHECK(canonical_mailbox_name("Inbox/x") == "INBOX/x");
    CHECK(canonical_mailbox_name("inboxes") == "inboxes");
    CHECK(canonical_mailbox_name("a/") == "a");
}

TEST_CASE("LIST patterns match as RFC 3501 says", "[maildir]") {
    struct Case {
        const char* pattern;
        const char* name;
        bool match;
    };
    const Case cases[] = {
        {"*", "a/b/c", true},      {"%", "a", true},        {"%", "a/b", false},    {"a/%", "a/b", true},
        {"a/%", "a/b/c", false},   {"a/*", "a/b/c", true},  {"a*", "abc", true},    {"a%c", "abc", true},
        {"a%c", "a/c", false},     {"inbox", "INBOX", true}, {"InBoX/%", "INBOX/x", true},
        {"inb*", "INBOX", true},   {"Inbox", "inbox2", false}, {"", "a", false},     {"a", "A", false},
        {"*/b", "x/y/b", true},    {"%/b", "x/y/b", false}, {"***%%%*", "zz", true},
        {"*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
    };
    for (const auto& c : cases) {
        INFO(c.pattern << " ~ " << c.name);
        CHECK(list_match(c.pattern, c.name) == c.match);
    }
}

TEST_CASE("subscriptions file in Dovecot's format", "[maildir]") {
    CHECK(parse_subscriptions("V\t2\n\nINBOX\na\tb\n") == std::vector<std::string>{"INBOX", "a/b"});
    CHECK(parse_subscriptions("INBOX\nold\n") == std::vector<std::string>{"INBOX", "old"});
    CHECK(format_subscriptions({"INBOX", "a/b"}) == "V\t2\n\nINBOX\na\tb\n");
}

TEST_CASE("a maildir store creates, lists, renames and deletes folders", "[maildir]") {
    TempDir t;
    Store store({"maildir", (t.path / "Maildir").string(), "", ""});
    store.create("a/b");
    store.create("Sent");
    CHECK_THROWS_AS(store.create("Sent"), MailError);
    CHECK_THROWS_AS(store.create("x.y"), MailError);  // '.' is the Maildir++ level marker
    CHECK(fs::is_directory(t.path / "Maildir/.a.b/cur"));
    CHECK(fs::exists(t.path / "Maildir/.a.b/maildirfolder"));
    store.open("INBOX", OpenMode::ReadWrite);  // INBOX is created on first use; its files stay hidden

    auto all = store.list("", "*");
    CHECK(names(all) == std::vector<std::string>{"INBOX", "Sent", "a", "a/b"});
    CHECK(all[2].attributes == (kNoselect | kHasChildren));
    CHECK(all[3].attributes == kHasNoChildren);
    CHECK(names(store.list("", "%")) == std::vector<std::string>{"INBOX", "Sent", "a"});
    CHECK(names(store.list("a/", "%")) == std::vector<std::string>{"a/b"});

    store.rename("a", "c");
    CHECK(names(store.list("", "*")) == std::vector<std::string>{"INBOX", "Sent", "c", "c/b"});
    CHECK_THROWS_AS(store.rename("nothere", "z"), MailError);
    CHECK_THROWS_AS(store.rename("Sent", "c/b"), MailError);
    store.remove("c/b");
    CHECK_THROWS_AS(store.remove("INBOX"), MailError);
    CHECK_THROWS_AS(store.remove("c/b"), MailError);
    CHECK(names(store.list("", "*")) == std::vector<std::string>{"INBOX", "Sent"});
    CHECK_THROWS_AS(store.open("../../etc", OpenMode::ReadOnly), MailError);

    store.subscribe("Sent");
    store.subscribe("inbox");
    store.subscribe("Sent");
    CHECK(store.subscriptions() == std::vector<std::string>{"Sent", "INBOX"});
    store.unsubscribe("Sent");
    CHECK(store.subscriptions() == std::vector<std::string>{"INBOX"});
    CHECK_THROWS_AS(store.unsubscribe("Sent"), MailError);
}

TEST_CASE("renaming INBOX moves its messages and leaves it empty", "[maildir]") {
    TempDir t;
    Store store({"maildir", t.path.string(), "", ""});
    {
        auto inbox = store.open("INBOX", OpenMode::ReadWrite);
        for (int i = 0; i < 3; ++i) {
            AppendRequest req;
            req.flags = i == 1 ? uint32_t{kSeen} : 0u;
            if (i == 2) req.keywords = {"work"};
            auto sink = inbox->append(req);
            sink->write("Subject: " + std::to_string(i) + "\n\nbody\n");
            sink->commit();
        }
    }
    store.rename("INBOX", "old");
    auto inbox = store.open("INBOX", OpenMode::ReadOnly);
    CHECK(inbox->count() == 0);
    auto old = store.open("old", OpenMode::ReadOnly);
    REQUIRE(old->count() == 3);
    CHECK((old->at(1).flags & kSeen));
    CHECK(old->keywords().at(0) == "work");
    CHECK(old->at(2).keywords == 1);
}
