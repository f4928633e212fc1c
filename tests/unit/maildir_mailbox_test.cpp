#include <catch2/catch.hpp>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/lock.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

namespace {

struct TempMaildir {
    fs::path path;
    TempMaildir() {
        char tmpl[] = "/tmp/maildir-test-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~TempMaildir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
};

struct RecordingSink : EventSink {
    std::vector<std::string> events;
    void expunged(size_t seq) override { events.push_back("expunged " + std::to_string(seq)); }
    void exists(size_t n) override { events.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t seq) override { events.push_back("flags " + std::to_string(seq)); }
    void keywords_changed() override { events.push_back("keywords"); }
};

Uid append(Mailbox& box, const std::string& text, uint32_t flags = 0, std::vector<std::string> kw = {}) {
    AppendRequest req;
    req.flags = flags;
    req.keywords = std::move(kw);
    req.internal_date = 1000000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

std::string read_all(const MessageContent& c) {
    std::string out(c.length(), '\0');
    out.resize(c.read(0, out.data(), out.size()));
    return out;
}

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

void touch_later(const fs::path& dir) {
    // Make sure an mtime-based check sees the change even within one tick.
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ::utimensat(AT_FDCWD, dir.c_str(), times, 0);
}

}  // namespace

TEST_CASE("maildir: append, read back, sizes, flags in the name", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    CHECK(box.count() == 0);
    CHECK(box.uidnext() == 1);
    CHECK(box.uidvalidity() != 0);
    CHECK(append(box, "Subject: a\n\nbody\n", kSeen | kFlagged, {"work", "$Junk"}) == 1);
    CHECK(append(box, "Subject: b\r\n\r\nbody\r\n") == 2);
    CHECK(files_in(m.path / "tmp").empty());
    RecordingSink sink;
    box.sync(sink, true);
    CHECK(sink.events == std::vector<std::string>{"exists 2"});
    REQUIRE(box.count() == 2);
    CHECK(box.at(0).uid == 1);
    CHECK(box.at(0).flags == (kSeen | kFlagged | kRecent));
    CHECK(box.at(0).keywords == 0b11);
    CHECK(box.keywords() == std::vector<std::string>{"work", "$Junk"});
    CHECK(box.at(0).size == 20);  // three LFs counted as CRLF
    CHECK(box.at(1).size == 20);
    CHECK(box.dated(0).internal_date == 1000000000);
    CHECK(read_all(box.content(0)) == "Subject: a\n\nbody\n");
    auto cur = files_in(m.path / "cur");
    REQUIRE(cur.size() == 2);
    // Message 1's file (names need not sort in delivery order).
    CHECK(std::count_if(cur.begin(), cur.end(), [](const std::string& f) {
              return f.find(",S=17,W=20:2,FSab") != std::string::npos;
          }) == 1);

    // A new session sees the same UIDs, without \Recent.
    MaildirMailbox again(m.str(), OpenMode::ReadOnly);
    CHECK(again.uidvalidity() == box.uidvalidity());
    REQUIRE(again.count() == 2);
    CHECK(again.at(1).uid == 2);
    CHECK(again.at(0).flags == (kSeen | kFlagged));
    CHECK_THROWS_AS(again.set_flags(0, 0, 0), MailError);
}

TEST_CASE("maildir: an append not committed leaves no trace", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    {
        auto sink = box.append({});
        sink->write("Subject: never\n\n");
        CHECK(files_in(m.path / "tmp").size() == 1);
    }
    CHECK(files_in(m.path / "tmp").empty());
    CHECK(files_in(m.path / "cur").empty());
}

TEST_CASE("maildir: set_flags renames, expunge unlinks and renumbers", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    for (int i = 0; i < 4; ++i) append(box, "Subject: " + std::to_string(i) + "\n\nx\n");
    RecordingSink sink;
    box.sync(sink, true);
    REQUIRE(box.count() == 4);
    box.set_flags(1, kDeleted | kSeen, 0);
    box.set_flags(3, kDeleted, 0);
    box.set_flags(2, kAnswered, 0);
    CHECK(box.at(2).flags == (kAnswered | kRecent));
    RecordingSink ex;
    std::vector<Uid> only{4};
    box.expunge(ex, &only);  // UID EXPUNGE 4: message 2 stays
    CHECK(ex.events == std::vector<std::string>{"expunged 4"});
    box.expunge(ex);
    CHECK(ex.events == std::vector<std::string>{"expunged 4", "expunged 2"});
    REQUIRE(box.count() == 2);
    CHECK(box.at(0).uid == 1);
    CHECK(box.at(1).uid == 3);
    MaildirMailbox other(m.str(), OpenMode::ReadOnly);
    REQUIRE(other.count() == 2);
    CHECK(other.at(1).flags == kAnswered);
    CHECK(other.uidnext() == 5);  // UIDs are never reused
}

TEST_CASE("maildir: new mail in new/ moves to cur/, is \\Recent here and gets the next UID", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    append(box, "Subject: a\n\nx\n");
    RecordingSink first;
    box.sync(first, true);
    std::ofstream(m.path / "new" / "2000000000.M1P1.other") << "Subject: new\n\nhi\n";
    std::ofstream(m.path / "new" / "1000000000.M1P1.other") << "Subject: older\n\nhi\n";
    touch_later(m.path / "new");
    RecordingSink sink;
    box.sync(sink, true);
    CHECK(sink.events == std::vector<std::string>{"exists 3"});
    CHECK(files_in(m.path / "new").empty());
    CHECK(fs::exists(m.path / "cur" / "2000000000.M1P1.other:2,"));
    REQUIRE(box.count() == 3);
    CHECK(box.at(1).uid == 2);
    CHECK(read_all(box.content(1)) == "Subject: older\n\nhi\n");  // delivery order
    CHECK((box.at(2).flags & kRecent));
    CHECK(box.at(2).size == 20);
    std::string uidlist = *read_whole_file((m.path / "dovecot-uidlist").string());
    CHECK(uidlist.find("3 W20 :2000000000.M1P1.other\n") != std::string::npos);
}

TEST_CASE("maildir: messages renamed or deleted by another program", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    append(box, "Subject: a\n\nx\n");
    append(box, "Subject: b\n\nx\n");
    append(box, "Subject: c\n\nx\n");
    RecordingSink s0;
    box.sync(s0, true);
    REQUIRE(box.count() == 3);
    // The files of messages 1 and 2, found by content: unique names do not
    // sort in delivery order (M99 sorts after M100).
    std::string file_a, file_b;
    for (const auto& f : files_in(m.path / "cur")) {
        std::string text = *read_whole_file((m.path / "cur" / f).string());
        if (text.find("Subject: a") != std::string::npos) file_a = f;
        if (text.find("Subject: b") != std::string::npos) file_b = f;
    }
    REQUIRE(!file_a.empty());
    REQUIRE(!file_b.empty());
    // Another program sets \Seen on message 1 and deletes message 2.
    fs::rename(m.path / "cur" / file_a, m.path / "cur" / (file_a + "S"));
    fs::remove(m.path / "cur" / file_b);

    CHECK(read_all(box.content(0)) == "Subject: a\n\nx\n");  // found again by base name
    CHECK_THROWS_AS(box.content(1), MailError);
    try {
        box.content(1);
    } catch (const MailError& e) {
        CHECK(e.kind() == ErrorKind::NotFound);
    }
    CHECK_THROWS_AS(box.set_flags(1, kSeen, 0), MailError);

    touch_later(m.path / "cur");
    RecordingSink no_expunge;
    box.sync(no_expunge, false);
    CHECK(box.count() == 3);  // not yet reported
    CHECK((box.at(0).flags & kSeen));
    RecordingSink s;
    box.sync(s, true);
    CHECK(s.events == std::vector<std::string>{"expunged 2"});
    REQUIRE(box.count() == 2);
    CHECK(box.at(1).uid == 3);
    box.set_flags(0, kFlagged, 0);  // the renamed file is renamed again, no crash
    CHECK(files_in(m.path / "cur").size() == 2);
}

TEST_CASE("maildir: a keyword added by another session shows up", "[maildir]") {
    TempMaildir m;
    MaildirMailbox a(m.str(), OpenMode::ReadWrite);
    MaildirMailbox b(m.str(), OpenMode::ReadWrite);
    append(a, "Subject: a\n\nx\n", 0, {"one"});
    RecordingSink sb;
    b.sync(sb, true);
    REQUIRE(b.count() == 1);
    CHECK(b.keywords() == std::vector<std::string>{"one"});
    CHECK(b.at(0).keywords == 1);
    auto bit = a.keyword_bit("two", true);
    REQUIRE(bit == 1u);
    RecordingSink sa;
    a.sync(sa, true);
    a.set_flags(0, 0, 0b10);
    touch_later(m.path / "cur");
    RecordingSink s2;
    b.sync(s2, true);
    CHECK(b.keywords() == std::vector<std::string>{"one", "two"});
    CHECK(b.at(0).keywords == 0b10);
    CHECK(s2.events == std::vector<std::string>{"keywords", "flags 1"});
}

TEST_CASE("maildir: the uidlist lock waits for its holder and breaks stale locks", "[maildir]") {
    TempMaildir m;
    std::string target = (m.path / "dovecot-uidlist").string();
    {
        DotLock held = DotLock::acquire(target);
        CHECK(fs::exists(target + ".lock"));
        CHECK_THROWS_AS(DotLock::acquire(target, LockTimeouts{0, 120}), MailError);
    }
    CHECK_FALSE(fs::exists(target + ".lock"));
    std::ofstream(target + ".lock") << "left by a crash";
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    ::utimensat(AT_FDCWD, (target + ".lock").c_str(), old, 0);
    DotLock lock = DotLock::acquire(target, LockTimeouts{1, 120});
    lock.replace("3 V1 N1\n", false);
    CHECK_FALSE(fs::exists(target + ".lock"));
    CHECK(*read_whole_file(target) == "3 V1 N1\n");
}

TEST_CASE("maildir: UIDVALIDITY follows Dovecot's dovecot-uidvalidity counter", "[maildir]") {
    TempMaildir m;
    std::ofstream(m.path / "dovecot-uidvalidity") << "6b076091";
    CHECK(next_uidvalidity(m.str()) == 0x6b076092u);
    CHECK(*read_whole_file((m.path / "dovecot-uidvalidity").string()) == "6b076092");
    fs::remove(m.path / "dovecot-uidvalidity");
    Uid now = static_cast<Uid>(::time(nullptr));
    Uid v = next_uidvalidity(m.str());
    CHECK(v >= now);
    CHECK(v <= now + 2);
}

TEST_CASE("maildir: change_fd becomes readable on new mail", "[maildir]") {
    TempMaildir m;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    int fd = box.change_fd();
    REQUIRE(fd >= 0);
    char buf[4096];
    CHECK(::read(fd, buf, sizeof buf) < 0);  // nothing yet
    std::ofstream(m.path / "new" / "1.x.y") << "Subject: x\n\n";
    CHECK(::read(fd, buf, sizeof buf) > 0);
}

TEST_CASE("maildir driver: recognises and refuses", "[maildir]") {
    TempMaildir m;
    MaildirDriver d;
    CHECK(d.recognizes(m.str()));
    CHECK_FALSE(d.recognizes((m.path / "cur").string()));
    CHECK_THROWS_AS(d.create(m.str()), MailError);
    CHECK_THROWS_AS(d.open((m.path / "nothere").string(), OpenMode::ReadOnly), MailError);
    std::ofstream(m.path / "dovecot-uidlist") << "3 V5 N1\n2 :a\n1 :b\n";
    // Damaged: rebuilt as Dovecot does (maildir_faults_test.cpp), not a crash nor a refusal.
    CHECK(d.open(m.str(), OpenMode::ReadOnly)->uidvalidity() == 5);
    CHECK(parse_uidlist(*read_whole_file((m.path / "dovecot-uidlist").string())).records.size() == 1);
}
