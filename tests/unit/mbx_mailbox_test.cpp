#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/mbx/driver.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "mailbox/driver.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::mbx;
namespace fs = std::filesystem;

namespace {

struct TempMbx {
    fs::path dir, path;
    TempMbx() {
        char tmpl[] = "/tmp/mbx-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / "box";
        MbxDriver().create(path.string());
    }
    ~TempMbx() { fs::remove_all(dir); }
    std::string str() const { return path.string(); }
    std::string bytes() const {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    void write_bytes(const std::string& b) const {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << b;
    }
};

struct RecordingSink : EventSink {
    std::vector<std::string> events;
    void expunged(size_t seq) override { events.push_back("expunged " + std::to_string(seq)); }
    void exists(size_t n) override { events.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t seq) override { events.push_back("flags " + std::to_string(seq)); }
    void keywords_changed() override { events.push_back("keywords"); }
};

using Events = std::vector<std::string>;

Uid append(Mailbox& box, const std::string& text, uint32_t flags = 0, std::vector<std::string> kw = {}) {
    AppendRequest req;
    req.flags = flags;
    req.keywords = std::move(kw);
    req.internal_date = 1000000000;
    req.zone_minutes = 60;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

std::string read_all(const MessageContent& c) {
    std::string out(c.length(), '\0');
    out.resize(c.read(0, out.data(), out.size()));
    return out;
}

// A change by "another process" must be visible to an mtime check even within one tick.
void age_mtime(const fs::path& p) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {1, 0}};
    ::utimensat(AT_FDCWD, p.c_str(), times, 0);
}

}  // namespace

TEST_CASE("mbx: create, recognise, append, read back with CRLF, reopen", "[mbx]") {
    TempMbx m;
    MbxDriver d;
    CHECK(d.recognizes(m.str()));
    CHECK_FALSE(d.recognizes((m.dir / "nothing").string()));
    CHECK(fs::status(m.path).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(fs::file_size(m.path) == kHeaderSize);
    CHECK(driver_for_path(m.str()) != nullptr);
    CHECK(driver_for_path(m.str())->name() == "mbx");
    REQUIRE_THROWS_AS(d.create(m.str()), MailError);

    Uid validity;
    {
        MbxMailbox box(m.str(), OpenMode::ReadWrite);
        validity = box.uidvalidity();
        CHECK(validity != 0);
        CHECK(box.count() == 0);
        CHECK(box.uidnext() == 1);
        CHECK(append(box, "Subject: a\n\nbody\n", kSeen | kFlagged, {"work", "$Junk"}) == 1);
        CHECK(append(box, "Subject: b\r\n\r\nbody\r\n") == 2);
        CHECK(box.uidnext() == 3);
        RecordingSink sink;
        box.sync(sink, true);
        CHECK(sink.events == Events{"exists 2"});  // it made the keywords itself
        REQUIRE(box.count() == 2);
        CHECK(box.at(0).uid == 1);
        CHECK(box.at(0).flags == (kSeen | kFlagged | kRecent));
        CHECK(box.at(0).keywords == 3);
        CHECK(box.keywords() == std::vector<std::string>{"work", "$Junk"});
        CHECK(box.at(0).size == 20);
        CHECK(box.at(0).internal_date == 1000000000);
        CHECK(box.at(0).zone_minutes == 60);
        CHECK(read_all(box.content(0)) == "Subject: a\r\n\r\nbody\r\n");
        CHECK(read_all(box.content(1)) == "Subject: b\r\n\r\nbody\r\n");
    }
    std::string bytes = m.bytes();
    CHECK(bytes.substr(kHeaderSize, 57) == " 9-Sep-2001 02:46:40 +0100,20;000000030015-00000001\r\nSubj");
    CHECK(bytes.substr(25, 13) == "work\r\n$Junk\r\n");
    CHECK(bytes.substr(15, 8) == "00000002");
    {
        MbxMailbox box(m.str(), OpenMode::ReadOnly);
        CHECK(box.uidvalidity() == validity);
        REQUIRE(box.count() == 2);
        CHECK(box.at(1).uid == 2);
        CHECK((box.at(0).flags & kRecent) == 0);  // the first session saw them (fOLD)
        CHECK(box.at(1).flags == 0);
        CHECK_THROWS_AS(append(box, "x"), MailError);
    }
}

TEST_CASE("mbx: flags rewritten in place, seen by another session", "[mbx]") {
    TempMbx m;
    MbxMailbox a(m.str(), OpenMode::ReadWrite);
    append(a, "Subject: 1\n\none\n");
    append(a, "Subject: 2\n\ntwo\n");
    RecordingSink sa;
    a.sync(sa, true);
    MbxMailbox b(m.str(), OpenMode::ReadWrite);
    REQUIRE(b.count() == 2);
    const uint64_t size_before = fs::file_size(m.path);
    auto kw = a.keyword_bit("todo", true);
    REQUIRE(kw);
    a.set_flags(1, kAnswered | kDeleted, KeywordMask{1} << *kw);
    CHECK(fs::file_size(m.path) == size_before);
    std::string bytes = m.bytes();
    const Slot& s = a.slot(1);
    CHECK(bytes.substr(s.end() - 23, 21) == "00000001001a-00000002");
    CHECK(bytes.substr(kHeaderSize - 10, 8) != std::string(8, '\0'));  // our PID as last flag writer

    age_mtime(m.path);  // b must notice even within the same clock tick
    RecordingSink sb;
    b.sync(sb, true);
    CHECK(sb.events == Events{"keywords", "flags 2"});
    CHECK(b.at(1).flags == (kAnswered | kDeleted));
    CHECK(b.at(1).keywords == 1);
    CHECK(b.keywords() == std::vector<std::string>{"todo"});
}

TEST_CASE("mbx: another session's append seen by sync; the cheap check does nothing", "[mbx]") {
    TempMbx m;
    MbxMailbox a(m.str(), OpenMode::ReadWrite);
    MbxMailbox b(m.str(), OpenMode::ReadWrite);
    RecordingSink sa;
    a.sync(sa, true);
    CHECK(sa.events.empty());
    append(b, "Subject: from b\n\nx\n");
    a.sync(sa, true);
    CHECK(sa.events == Events{"exists 1"});
    CHECK(a.at(0).flags == 0);  // b, a session that appended to the mailbox it has open, took \Recent
    RecordingSink sb;
    b.sync(sb, true);
    CHECK(sb.events == Events{"exists 1"});
    CHECK(b.at(0).flags == kRecent);
    sa.events.clear();
    a.sync(sa, true);
    CHECK(sa.events.empty());
}

TEST_CASE("mbx: expunge compacts when alone", "[mbx]") {
    TempMbx m;
    MbxMailbox box(m.str(), OpenMode::ReadWrite);
    for (int i = 1; i <= 4; ++i) append(box, "Subject: " + std::to_string(i) + "\n\nbody " + std::to_string(i) + "\n");
    RecordingSink sink;
    box.sync(sink, true);
    box.set_flags(0, kDeleted, 0);
    box.set_flags(2, kDeleted | kSeen, 0);
    const uint64_t before = fs::file_size(m.path);
    sink.events.clear();
    box.expunge(sink);
    CHECK(sink.events == Events{"expunged 1", "expunged 2"});
    REQUIRE(box.count() == 2);
    CHECK(box.at(0).uid == 2);
    CHECK(box.at(1).uid == 4);
    CHECK(read_all(box.content(1)) == "Subject: 4\r\n\r\nbody 4\r\n");
    CHECK(fs::file_size(m.path) < before);
    CHECK(box.uidnext() == 5);
    MbxMailbox again(m.str(), OpenMode::ReadOnly);
    REQUIRE(again.count() == 2);
    CHECK(again.at(0).uid == 2);
    CHECK(read_all(again.content(0)) == "Subject: 2\r\n\r\nbody 2\r\n");
    CHECK(again.uidnext() == 5);
}

TEST_CASE("mbx: UID EXPUNGE removes only the listed deleted messages", "[mbx]") {
    TempMbx m;
    MbxMailbox box(m.str(), OpenMode::ReadWrite);
    for (int i = 1; i <= 3; ++i) append(box, "Subject: x\n\ny\n", kDeleted);
    RecordingSink sink;
    box.sync(sink, true);
    std::vector<Uid> only{2, 3};
    sink.events.clear();
    box.expunge(sink, &only);
    CHECK(sink.events == Events{"expunged 2", "expunged 2"});
    REQUIRE(box.count() == 1);
    CHECK(box.at(0).uid == 1);
}

TEST_CASE("mbx: expunge while shared leaves holes, others skip them, later reclaimed", "[mbx]") {
    TempMbx m;
    auto a = std::make_unique<MbxMailbox>(m.str(), OpenMode::ReadWrite);
    for (int i = 1; i <= 3; ++i) append(*a, "Subject: " + std::to_string(i) + "\n\nbody\n");
    RecordingSink sa;
    a->sync(sa, true);
    MbxMailbox b(m.str(), OpenMode::ReadWrite);
    a->set_flags(1, kDeleted, 0);
    const uint64_t size = fs::file_size(m.path);
    sa.events.clear();
    a->expunge(sa);
    CHECK(sa.events == Events{"expunged 2"});
    CHECK(fs::file_size(m.path) == size);  // b holds the file open: no compaction
    std::string bytes = m.bytes();
    CHECK(bytes.substr(b.slot(1).end() - 23, 21) == "000000008012-00000002");  // fEXPUNGED|fOLD|fDELETED

    // A third reader skips the hole.
    {
        MbxMailbox c(m.str(), OpenMode::ReadOnly);
        REQUIRE(c.count() == 2);
        CHECK(c.at(1).uid == 3);
    }
    age_mtime(m.path);
    RecordingSink sb;
    b.sync(sb, false);  // expunges not allowed now: the message stays, unreadable
    CHECK(sb.events.empty());
    CHECK(b.count() == 3);
    CHECK_THROWS_AS(b.content(1), MailError);
    b.sync(sb, true);
    CHECK(sb.events == Events{"expunged 2"});
    CHECK(b.count() == 2);
    // Alone now: the next sync reclaims the space.
    a.reset();
    b.sync(sb, true);
    CHECK(fs::file_size(m.path) < size);
    CHECK(read_all(b.content(1)) == "Subject: 3\r\n\r\nbody\r\n");
    MbxMailbox d(m.str(), OpenMode::ReadOnly);
    REQUIRE(d.count() == 2);
    CHECK(d.at(1).uid == 3);
    CHECK(read_all(d.content(1)) == "Subject: 3\r\n\r\nbody\r\n");
}

TEST_CASE("mbx: a cut-off append is cut back on open; a damaged line is an error", "[mbx]") {
    TempMbx m;
    {
        MbxMailbox box(m.str(), OpenMode::ReadWrite);
        append(box, "Subject: ok\n\nfine\n");
    }
    const uint64_t good = fs::file_size(m.path);
    for (std::string tail : {std::string(" 9-Sep-2001 02:46:40 +0100,500;000000000000-00000002\r\nSubject: cut"),
                             std::string(" 9-Sep-2001 02:4")}) {
        std::string bytes = m.bytes().substr(0, good);
        m.write_bytes(bytes + tail);
        {
            MbxMailbox ro(m.str(), OpenMode::ReadOnly);
            CHECK(ro.count() == 1);
        }
        CHECK(fs::file_size(m.path) == good + tail.size());  // read-only: left alone
        MbxMailbox box(m.str(), OpenMode::ReadWrite);
        CHECK(box.count() == 1);
        CHECK(fs::file_size(m.path) == good);
        Uid next = box.uidnext();
        CHECK(append(box, "Subject: next\n\nx\n") == next);
    }
    m.write_bytes(m.bytes() + "garbage that is no message line at all, long enough to hold a CRLF\r\n");
    CHECK_THROWS_AS(MbxMailbox(m.str(), OpenMode::ReadWrite), MailError);
}

TEST_CASE("mbx: messages without UIDs (UW copy) get them in file order", "[mbx]") {
    TempMbx m;
    std::string bytes = m.bytes();
    bytes += " 1-Jan-2001 00:00:00 +0000,5;000000000005-00000000\r\nA\r\n\r\n";
    bytes += " 1-Jan-2001 00:00:01 +0000,5;000000000000-00000000\r\nB\r\n\r\n";
    m.write_bytes(bytes);
    MbxMailbox box(m.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 2);
    CHECK(box.at(0).uid == 1);
    CHECK(box.at(1).uid == 2);
    CHECK(box.at(0).flags == (kSeen | kFlagged | kRecent));
    std::string now = m.bytes();
    CHECK(now.substr(15, 8) == "00000002");
    CHECK(now.substr(box.slot(0).end() - 23, 21) == "000000000015-00000001");
    CHECK(append(box, "C\n") == 3);
}

TEST_CASE("mbx: remove and rename refuse while open elsewhere", "[mbx]") {
    TempMbx m;
    MbxDriver d;
    std::string to = (m.dir / "sub" / "renamed").string();
    {
        MbxMailbox box(m.str(), OpenMode::ReadOnly);
        CHECK_THROWS_AS(d.remove(m.str()), MailError);
        CHECK_THROWS_AS(d.rename(m.str(), to), MailError);
    }
    d.rename(m.str(), to);
    CHECK(d.recognizes(to));
    CHECK_FALSE(fs::exists(m.path));
    d.remove(to);
    CHECK_FALSE(fs::exists(to));
}

TEST_CASE("mbx: the parse lock is UW's /tmp/.dev.ino file", "[mbx]") {
    TempMbx m;
    UniqueFd fd(::open(m.str().c_str(), O_RDONLY));
    struct stat st;
    ::fstat(fd.get(), &st);
    char want[64];
    std::snprintf(want, sizeof want, "/tmp/.%lx.%lx", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
    CHECK(UwParseLock::path_for(fd.get()) == want);
    {
        UwParseLock lock = UwParseLock::acquire(fd.get());
        CHECK(fs::exists(want));
        MbxOptions quick;
        quick.lock_timeout_seconds = 1;
        CHECK_THROWS_AS(MbxMailbox(m.str(), OpenMode::ReadOnly, quick), MailError);
    }
    CHECK_FALSE(fs::exists(want));  // unlinked when no one else holds it
}
