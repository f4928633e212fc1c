// The maildir fast paths (issue 10): uidlist records appended rather than the
// file rewritten, a mailbox opened to deliver that does not scan, and STORE
// renames that still leave the right flags for every reader.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "drivers/maildir/uidlist.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

namespace {

struct TempMaildir {
    fs::path path;
    TempMaildir() {
        char tmpl[] = "/tmp/perf-maildir-test-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~TempMaildir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
    std::string uidlist() const {
        std::ifstream in(path / "dovecot-uidlist");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

Uid append(Mailbox& box, const std::string& text, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    req.internal_date = 1000000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

}  // namespace

TEST_CASE("uidlist record lines are what format_uidlist writes", "[perf]") {
    struct Case {
        UidlistRecord rec;
        std::string line;
    };
    const std::vector<Case> cases = {
        {{1, "1700000000.M1P2.host", {}}, "1 :1700000000.M1P2.host\n"},
        {{42, "b", {{'W', "905"}}}, "42 W905 :b\n"},
        {{7, "c", {{'W', "1"}, {'X', "y"}}}, "7 W1 Xy :c\n"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.line);
        CHECK(format_uidlist_record(c.rec) == c.line);
        Uidlist list;
        list.uidvalidity = 5;
        list.next_uid = 1;  // stale, as after appends: readers take last UID + 1
        std::string text = format_uidlist(list) + c.line;
        Uidlist back = parse_uidlist(text);
        REQUIRE(back.records.size() == 1);
        CHECK(back.records[0] == c.rec);
        CHECK(back.next_uid == c.rec.uid + 1);
    }
}

TEST_CASE("maildir APPEND appends to the uidlist and keeps its header", "[perf]") {
    TempMaildir dir;
    auto box = MaildirDriver().open(dir.str(), OpenMode::ReadWrite);
    const std::string header_before = dir.uidlist().substr(0, dir.uidlist().find('\n'));
    std::vector<Uid> uids;
    for (int i = 0; i < 5; ++i) uids.push_back(append(*box, "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n"));
    CHECK(uids == std::vector<Uid>{1, 2, 3, 4, 5});
    std::string text = dir.uidlist();
    // The header was written once, at creation; the records came after it.
    CHECK(text.substr(0, text.find('\n')) == header_before);
    Uidlist list = parse_uidlist(text);
    REQUIRE(list.records.size() == 5);
    CHECK(list.next_uid == 6);

    // A torn last line (a crash mid-append) makes the next append rewrite the file whole.
    { std::ofstream(dir.path / "dovecot-uidlist", std::ios::app) << "99 :torn"; }
    auto other = MaildirDriver().open(dir.str(), OpenMode::Deliver);
    CHECK(append(*other, "Subject: after\r\n\r\nx\r\n") == 6);
    Uidlist after = parse_uidlist(dir.uidlist());
    REQUIRE(after.records.size() == 6);
    CHECK(after.records.back().uid == 6);
    CHECK(dir.uidlist().find("torn") == std::string::npos);
}

TEST_CASE("a maildir opened to deliver lists nothing until it syncs, then everything", "[perf]") {
    TempMaildir dir;
    {
        auto box = MaildirDriver().open(dir.str(), OpenMode::ReadWrite);
        append(*box, "Subject: a\r\n\r\na\r\n");
        append(*box, "Subject: b\r\n\r\nb\r\n", kSeen);
    }
    auto deliver = MaildirDriver().open(dir.str(), OpenMode::Deliver);
    CHECK(deliver->count() == 0);
    CHECK(deliver->uidnext() == 3);
    CHECK(append(*deliver, "Subject: c\r\n\r\nc\r\n") == 3);
    NullEventSink sink;
    deliver->sync(sink, true);
    REQUIRE(deliver->count() == 3);
    CHECK((deliver->at(1).flags & kStorableFlags) == kSeen);
    auto reader = MaildirDriver().open(dir.str(), OpenMode::ReadOnly);
    REQUIRE(reader->count() == 3);
    CHECK(reader->at(2).uid == 3);
}

TEST_CASE("maildir STORE renames are seen by another session after flush", "[perf]") {
    TempMaildir dir;
    auto box = MaildirDriver().open(dir.str(), OpenMode::ReadWrite);
    for (int i = 0; i < 4; ++i) append(*box, "Subject: s\r\n\r\nx\r\n");
    NullEventSink sink;
    box->sync(sink, true);
    auto other = MaildirDriver().open(dir.str(), OpenMode::ReadOnly);
    for (size_t i = 0; i < box->count(); i += 2) box->set_flags(i, kFlagged, 0);
    box->flush();
    struct Counter : EventSink {
        int flags = 0;
        void expunged(size_t) override {}
        void exists(size_t) override {}
        void flags_changed(size_t) override { ++flags; }
    } seen;
    other->sync(seen, true);
    CHECK(seen.flags == 2);
    for (size_t i = 0; i < other->count(); ++i) CHECK((other->at(i).flags & kFlagged) == (i % 2 == 0 ? kFlagged : 0u));
}
