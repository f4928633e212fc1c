// \Recent in the maildir driver: exactly one read-write session gets each
// message as recent (the first to see it); read-only opens claim nothing.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "drivers/maildir/recent.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

namespace {

struct RecentMaildir {
    fs::path path;
    RecentMaildir() {
        char tmpl[] = "/tmp/maildir-recent-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~RecentMaildir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
    // Delivers as an MTA does: tmp/ then rename into sub ("new" or "cur").
    void deliver(const std::string& name, const char* sub) {
        fs::path tmp = path / "tmp" / name;
        std::ofstream(tmp) << "Subject: " << name << "\n\nhi\n";
        fs::rename(tmp, path / sub / name);
        struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
        ::utimensat(AT_FDCWD, (path / sub).c_str(), times, 0);
    }
};

struct QuietSink : EventSink {
    void expunged(size_t) override {}
    void exists(size_t) override {}
    void flags_changed(size_t) override {}
};

size_t recent_count(const Mailbox& box) {
    size_t n = 0;
    for (size_t i = 0; i < box.count(); ++i)
        if (box.at(i).flags & kRecent) ++n;
    return n;
}

// What imapd-recent says was claimed (0 when it is absent).
Uid last_claimed(const fs::path& maildir) {
    auto text = read_whole_file((maildir / kRecentFileName).string());
    return text ? parse_recent_claim(*text).last_claimed : 0;
}

}  // namespace

TEST_CASE("recent: the claim file format", "[recent]") {
    struct Case {
        std::string text;
        Uid validity, claimed;
    };
    const std::vector<Case> cases = {
        {"1700000000 42\n", 1700000000, 42},
        {"5 0\n", 5, 0},
        {"5 7", 5, 7},
        {"", 0, 0},
        {"garbage", 0, 0},
        {"5 x\n", 0, 0},
        {"5  7\n", 0, 0},
        {"-1 3\n", 0, 0},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        RecentClaim r = parse_recent_claim(c.text);
        CHECK(r.uidvalidity == c.validity);
        CHECK(r.last_claimed == c.claimed);
    }
    CHECK(format_recent_claim({9, 12}) == "9 12\n");
    CHECK(parse_recent_claim(format_recent_claim({9, 12})).last_claimed == 12);
}

TEST_CASE("recent: the first read-write session gets them, the second none", "[recent]") {
    RecentMaildir m;
    m.deliver("1000000001.M1P1.mta", "new");
    m.deliver("1000000002.M1P1.mta", "cur");  // written straight into cur/: recent too
    m.deliver("1000000003.M1P1.mta:2,S", "cur");
    MaildirMailbox first(m.str(), OpenMode::ReadWrite);
    REQUIRE(first.count() == 3);
    CHECK(recent_count(first) == 3);
    CHECK((first.at(2).flags & kSeen));
    MaildirMailbox second(m.str(), OpenMode::ReadWrite);
    REQUIRE(second.count() == 3);
    CHECK(recent_count(second) == 0);
    // Still recent in the first after a sync.
    QuietSink sink;
    first.sync(sink, true);
    CHECK(recent_count(first) == 3);
}

TEST_CASE("recent: a new arrival is recent only in the session that syncs first", "[recent]") {
    RecentMaildir m;
    MaildirMailbox a(m.str(), OpenMode::ReadWrite);
    MaildirMailbox b(m.str(), OpenMode::ReadWrite);
    CHECK(a.count() == 0);
    m.deliver("1000000010.M1P1.mta", "new");
    QuietSink sink;
    b.sync(sink, true);
    a.sync(sink, true);
    REQUIRE(a.count() == 1);
    REQUIRE(b.count() == 1);
    CHECK(recent_count(b) == 1);
    CHECK(recent_count(a) == 0);
    m.deliver("1000000011.M1P1.mta", "cur");
    a.sync(sink, true);
    b.sync(sink, true);
    REQUIRE(a.count() == 2);
    REQUIRE(b.count() == 2);
    CHECK((a.at(1).flags & kRecent));
    CHECK(!(b.at(1).flags & kRecent));
    CHECK((b.at(0).flags & kRecent));  // earlier claims stay
}

TEST_CASE("recent: an APPEND is recent in the one session that sees it first", "[recent]") {
    RecentMaildir m;
    MaildirMailbox a(m.str(), OpenMode::ReadWrite);
    MaildirMailbox writer(m.str(), OpenMode::ReadWrite);
    AppendRequest req;
    auto sink = writer.append(req);
    sink->write("Subject: appended\n\nx\n");
    CHECK(sink->commit() == 1);
    QuietSink quiet;
    a.sync(quiet, true);
    writer.sync(quiet, true);
    REQUIRE(a.count() == 1);
    REQUIRE(writer.count() == 1);
    CHECK(recent_count(a) == 1);
    CHECK(recent_count(writer) == 0);
}

TEST_CASE("recent: read-only opens show unclaimed ones but claim nothing", "[recent]") {
    RecentMaildir m;
    m.deliver("1000000020.M1P1.mta", "new");
    m.deliver("1000000021.M1P1.mta", "cur");
    {
        MaildirMailbox examine(m.str(), OpenMode::ReadOnly);
        CHECK(examine.count() == 2);
        CHECK(recent_count(examine) == 2);
    }
    CHECK(last_claimed(m.path) == 0);  // the claim its uidlist came with: nothing
    MaildirMailbox select(m.str(), OpenMode::ReadWrite);
    CHECK(recent_count(select) == 2);
    MaildirMailbox examine_again(m.str(), OpenMode::ReadOnly);
    CHECK(recent_count(examine_again) == 0);
}

TEST_CASE("recent: a claim for another UIDVALIDITY does not count", "[recent]") {
    RecentMaildir m;
    m.deliver("1000000030.M1P1.mta", "cur");
    std::ofstream(m.path / kRecentFileName) << "1 99\n";  // a stale claim
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    CHECK(recent_count(box) == 1);
}

TEST_CASE("recent: a mailbox opened to deliver (APPEND/COPY target, dmail) claims nothing", "[recent]") {
    RecentMaildir m;
    m.deliver("1000000040.M1P1.mta", "new");
    {
        MaildirMailbox target(m.str(), OpenMode::Deliver);
        CHECK(!target.read_only());
        AppendRequest req;
        auto sink = target.append(req);
        sink->write("Subject: copied\n\nx\n");
        // The file another program left in new/ gets its UID first, as
        // Dovecot gives it, though a Deliver open lists nothing else.
        CHECK(sink->commit() == 2);
        QuietSink quiet;
        target.sync(quiet, true);
        CHECK(target.count() == 2);
    }
    CHECK(last_claimed(m.path) == 0);  // the claim its uidlist came with: nothing
    MaildirMailbox select(m.str(), OpenMode::ReadWrite);
    CHECK(recent_count(select) == 2);
}

TEST_CASE("recent: a maildir moved from Dovecot (uidlist, files in cur/) has only its new/ mail recent", "[recent]") {
    RecentMaildir m;
    m.deliver("1000000050.M1P1.dovecot:2,S", "cur");
    m.deliver("1000000051.M1P1.dovecot:2,", "cur");
    m.deliver("1000000052.M1P1.dovecot", "new");  // listed by Dovecot, not yet moved
    m.deliver("1000000053.M1P1.dovecot", "new");  // not listed yet
    std::ofstream(m.path / "dovecot-uidlist") << "3 V1234 N4 G0123456789abcdef0123456789abcdef\n"
                                                 "1 :1000000050.M1P1.dovecot\n"
                                                 "2 :1000000051.M1P1.dovecot\n"
                                                 "3 :1000000052.M1P1.dovecot\n";
    {
        MaildirMailbox examine(m.str(), OpenMode::ReadOnly);
        REQUIRE(examine.count() == 4);
        CHECK(recent_count(examine) == 1);  // only the unlisted one: EXAMINE moves nothing
    }
    MaildirMailbox first(m.str(), OpenMode::ReadWrite);
    REQUIRE(first.count() == 4);
    CHECK(first.uidvalidity() == 1234);
    CHECK(!(first.at(0).flags & kRecent));
    CHECK(!(first.at(1).flags & kRecent));
    CHECK((first.at(2).flags & kRecent));  // found in new/
    CHECK((first.at(3).flags & kRecent));  // UID given now
    MaildirMailbox second(m.str(), OpenMode::ReadWrite);
    CHECK(recent_count(second) == 0);
}
