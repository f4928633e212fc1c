// The folder tree of a file-per-mailbox store (mbx, unix), answered as
// Dovecot's mbox answers: a name ending in the separator is a directory
// (\Noselect) that can hold mailboxes, a mailbox file cannot
// (\NoInferiors); and Dovecot's subscriptions files of either version.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <fstream>

#include "index/index_path.hpp"
#include "mailbox/store.hpp"
#include "util/error.hpp"

using namespace mail;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/store-levels-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::map<std::string, uint32_t> listing(const Store& store) {
    std::map<std::string, uint32_t> out;
    for (const ListEntry& e : store.list("", "*")) out[e.name] = e.attributes;
    return out;
}

ErrorKind kind_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const MailError& e) {
        return e.kind();
    }
    FAIL("no MailError");
    return ErrorKind::Io;
}

}  // namespace

TEST_CASE("file stores: a name ending in the separator is a directory, a mailbox file has no children",
          "[stores]") {
    for (const char* format : {"mbx", "unix"}) {
        INFO(format);
        TempDir t;
        Store store({format, (t.path / "mail").string(), (t.path / "INBOX").string(), ""});
        store.create("imaptest/");
        CHECK(fs::is_directory(t.path / "mail/imaptest"));
        CHECK(kind_of([&] { store.create("imaptest"); }) == ErrorKind::Exists);
        CHECK(kind_of([&] { store.create("imaptest/"); }) == ErrorKind::Exists);
        store.create("imaptest/box");
        CHECK(fs::is_regular_file(t.path / "mail/imaptest/box"));
        store.create("imaptest/a/b/");
        CHECK(fs::is_directory(t.path / "mail/imaptest/a/b"));

        auto all = listing(store);
        CHECK(all["imaptest"] == (kNoselect | kHasChildren));
        CHECK(all["imaptest/box"] == kNoInferiors);
        CHECK(all["imaptest/a"] == (kNoselect | kHasChildren));
        CHECK(all["imaptest/a/b"] == (kNoselect | kHasNoChildren));
        CHECK(attribute_names(kNoInferiors) == std::vector<std::string>{"\\NoInferiors"});

        // A mailbox file cannot have children: NO [CANNOT], nothing made.
        CHECK(kind_of([&] { store.create("imaptest/box/x"); }) == ErrorKind::Invalid);
        CHECK(kind_of([&] { store.create("imaptest/box/x/"); }) == ErrorKind::Invalid);
        CHECK(kind_of([&] { store.rename("imaptest/a", "imaptest/box/a"); }) == ErrorKind::Invalid);
        CHECK(fs::is_regular_file(t.path / "mail/imaptest/box"));

        // A directory is not selectable.
        CHECK(kind_of([&] { store.open("imaptest", OpenMode::ReadOnly); }) == ErrorKind::Invalid);

        // RENAME moves a directory with what is under it.
        store.rename("imaptest/a", "imaptest/c");
        all = listing(store);
        CHECK(all.count("imaptest/a") == 0);
        CHECK(all["imaptest/c/b"] == (kNoselect | kHasNoChildren));

        // DELETE removes a directory once it is empty (as ImapTest's set-up
        // does: children first, then the level); our index files inside it
        // do not count.
        store.open("imaptest/box", OpenMode::ReadWrite);
        CHECK(kind_of([&] { store.remove("imaptest"); }) == ErrorKind::Invalid);
        store.remove("imaptest/c/b");
        store.remove("imaptest/c");
        store.remove("imaptest/box");
        // Dovecot's mbox index directory, left from before a move to us, neither.
        fs::create_directories(t.path / "mail/imaptest/.imap/box");
        std::ofstream(t.path / "mail/imaptest/.imap/box/dovecot.index.log") << "x";
        store.remove("imaptest");
        CHECK(!fs::exists(t.path / "mail/imaptest"));
        store.create("imaptest");
        CHECK(listing(store)["imaptest"] == kNoInferiors);
    }
}

TEST_CASE("file stores: a mailbox deleted and created again gets a new UIDVALIDITY", "[stores]") {
    for (const char* format : {"mbx", "unix"}) {
        INFO(format);
        TempDir t;
        Store store({format, (t.path / "mail").string(), (t.path / "INBOX").string(), ""});
        store.create("box");
        Uid first = store.open("box", OpenMode::ReadOnly)->uidvalidity();
        store.remove("box");
        store.create("box");  // within the same second, as ImapTest's uidvalidity script does
        Uid second = store.open("box", OpenMode::ReadOnly)->uidvalidity();
        CHECK(second > first);
        store.create("other");
        CHECK(store.open("other", OpenMode::ReadOnly)->uidvalidity() > second);
    }
}

TEST_CASE("file stores: with index_dir, RENAME of a directory takes its mailboxes' index files along",
          "[stores]") {
    TempDir t;
    std::string index_dir = (t.path / "index").string();
    Store store({"unix", (t.path / "mail").string(), (t.path / "INBOX").string(), index_dir});
    store.create("d/e/box");
    std::string flags = index_file_path((t.path / "mail/d/e/box").string(), index_dir, "flags");
    REQUIRE(make_index_dir(flags));
    std::ofstream(flags) << "pending flag changes";
    store.rename("d", "x");
    CHECK(!fs::exists(flags));
    CHECK(fs::exists(index_file_path((t.path / "mail/x/e/box").string(), index_dir, "flags")));
}

TEST_CASE("file stores: INBOX keeps children beside its file", "[stores]") {
    TempDir t;
    Store store({"mbx", (t.path / "mail").string(), (t.path / "INBOX").string(), ""});
    store.open("INBOX", OpenMode::ReadWrite);
    store.create("INBOX/x");
    auto all = listing(store);
    CHECK(all["INBOX"] == kHasChildren);
    CHECK(all["INBOX/x"] == kNoInferiors);
}

TEST_CASE("Dovecot's old subscriptions file names levels with the storage separator", "[stores]") {
    TempDir t;
    fs::create_directories(t.path / "Maildir");
    {
        std::ofstream f(t.path / "Maildir/subscriptions");
        f << "Lists.dev\nLists\nINBOX.Work\n";  // version 1: no "V 2" line, Maildir++ '.'
    }
    Store store({"maildir", (t.path / "Maildir").string(), "", ""});
    CHECK(store.subscriptions() == std::vector<std::string>{"Lists/dev", "Lists", "INBOX/Work"});
    store.unsubscribe("Lists/dev");
    CHECK(store.subscriptions() == std::vector<std::string>{"Lists", "INBOX/Work"});

    // A file store's storage separator is '/' already: a '.' stays.
    TempDir u;
    fs::create_directories(u.path / "mail");
    {
        std::ofstream f(u.path / "mail/.subscriptions");
        f << "a.b\nc/d\n";
    }
    Store files({"unix", (u.path / "mail").string(), (u.path / "INBOX").string(), ""});
    CHECK(files.subscriptions() == std::vector<std::string>{"a.b", "c/d"});
}
