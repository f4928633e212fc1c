// The maildir driver under concurrency and faults (issues 16 and 17): flag
// changes applied to the name on disk, uidlist lines of files a killed
// EXPUNGE unlinked, uidlist locks whose holder died at any moment, damaged
// uidlists.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/lock.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "lock/excl_lock_owner.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

namespace {

struct FaultMaildir {
    fs::path path;
    FaultMaildir() {
        char tmpl[] = "/tmp/maildir-faults-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~FaultMaildir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
    std::string uidlist() const { return (path / "dovecot-uidlist").string(); }
    // The file in cur/ whose content has `needle`.
    fs::path file_with(const std::string& needle) const {
        for (const auto& e : fs::directory_iterator(path / "cur"))
            if (read_whole_file(e.path().string())->find(needle) != std::string::npos) return e.path();
        return {};
    }
};

struct Quiet : EventSink {
    std::vector<std::string> events;
    void expunged(size_t seq) override { events.push_back("expunged " + std::to_string(seq)); }
    void exists(size_t n) override { events.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t seq) override { events.push_back("flags " + std::to_string(seq)); }
};

Uid append(Mailbox& box, const std::string& text, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

std::vector<Uid> listed_uids(const std::string& uidlist) {
    std::vector<Uid> out;
    for (const auto& r : parse_uidlist(*read_whole_file(uidlist)).records) out.push_back(r.uid);
    return out;
}

void touch(const fs::path& dir) {
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ::utimensat(AT_FDCWD, dir.c_str(), times, 0);
}

std::string host() {
    char h[256] = "";
    ::gethostname(h, sizeof h - 1);
    return h;
}

}  // namespace

TEST_CASE("maildir change_flags applies to the flags on disk, not the session's copy", "[maildir-faults]") {
    FaultMaildir m;
    {
        MaildirMailbox w(m.str(), OpenMode::ReadWrite);
        append(w, "Subject: a\n\nx\n", kSeen);
    }
    MaildirMailbox a(m.str(), OpenMode::ReadWrite), b(m.str(), OpenMode::ReadWrite);
    REQUIRE(a.count() == 1);
    REQUIRE(b.count() == 1);
    CHECK(a.change_flags(0, FlagChange{FlagChange::Op::Add, kAnswered, 0}));
    a.flush();
    // b has not synced: its copy still says \Seen only.
    CHECK(b.change_flags(0, FlagChange{FlagChange::Op::Remove, kSeen, 0}));
    b.flush();
    CHECK((b.at(0).flags & kStorableFlags) == kAnswered);  // the result, as STORE answers it
    CHECK(m.file_with("Subject: a").filename().string().ends_with(":2,R"));
    touch(m.path / "cur");
    Quiet qa;
    a.sync(qa, true);
    CHECK((a.at(0).flags & kStorableFlags) == kAnswered);
    // A change that is already on disk changes nothing there but the
    // session's copy, and says so (the client must hear of the new flags).
    MaildirMailbox c(m.str(), OpenMode::ReadWrite);
    CHECK(a.change_flags(0, FlagChange{FlagChange::Op::Add, kFlagged, 0}));
    a.flush();
    CHECK(c.change_flags(0, FlagChange{FlagChange::Op::Add, kFlagged, 0}));
    CHECK(!c.change_flags(0, FlagChange{FlagChange::Op::Add, kFlagged, 0}));
    CHECK((c.at(0).flags & kStorableFlags) == (kAnswered | kFlagged));
}

TEST_CASE("maildir: uidlist lines of files a killed EXPUNGE unlinked are dropped at the next sync",
          "[maildir-faults]") {
    FaultMaildir m;
    {
        MaildirMailbox w(m.str(), OpenMode::ReadWrite);
        for (const char* s : {"a", "b", "c", "d"}) append(w, std::string("Subject: ") + s + "\n\nx\n");
    }
    MaildirMailbox open_before(m.str(), OpenMode::ReadWrite);
    REQUIRE(open_before.count() == 4);
    // The EXPUNGE unlinked b and d, then died before rewriting the uidlist.
    fs::remove(m.file_with("Subject: b"));
    fs::remove(m.file_with("Subject: d"));
    REQUIRE(listed_uids(m.uidlist()) == std::vector<Uid>{1, 2, 3, 4});
    {
        MaildirMailbox fresh(m.str(), OpenMode::ReadWrite);
        CHECK(fresh.count() == 2);
    }
    CHECK(listed_uids(m.uidlist()) == std::vector<Uid>{1, 3});
    // A session that had them open reports them expunged, and a new file
    // gets the next UID, not one of theirs.
    touch(m.path / "cur");
    Quiet q;
    open_before.sync(q, true);
    CHECK(q.events == std::vector<std::string>{"expunged 2", "expunged 3"});
    CHECK(append(open_before, "Subject: e\n\nx\n") == 5);

    // The same when the session that notices already had them open.
    fs::remove(m.file_with("Subject: c"));
    touch(m.path / "cur");
    Quiet q2;
    open_before.sync(q2, true);
    CHECK(listed_uids(m.uidlist()) == std::vector<Uid>{1, 5});
}

TEST_CASE("maildir: a read-only open leaves the uidlist alone", "[maildir-faults]") {
    FaultMaildir m;
    {
        MaildirMailbox w(m.str(), OpenMode::ReadWrite);
        append(w, "Subject: a\n\nx\n");
        append(w, "Subject: b\n\nx\n");
    }
    fs::remove(m.file_with("Subject: b"));
    MaildirMailbox examine(m.str(), OpenMode::ReadOnly);
    CHECK(examine.count() == 1);
    CHECK(listed_uids(m.uidlist()) == std::vector<Uid>{1, 2});
}

TEST_CASE("the uidlist lock never exists without its holder's mark", "[maildir-faults]") {
    FaultMaildir m;
    const std::string target = m.uidlist(), lock = target + ".lock";
    pid_t child = ::fork();
    if (child == 0) {
        for (int i = 0; i < 500; ++i) {
            DotLock l = DotLock::acquire(target, LockTimeouts{5, 120});
            l.replace("3 V1 N" + std::to_string(i + 1) + "\n", false);
        }
        ::_exit(0);
    }
    const std::string mark_prefix = std::to_string(child) + ":";
    size_t seen = 0, unmarked = 0;
    int status = 0;
    while (::waitpid(child, &status, WNOHANG) == 0) {
        auto text = read_whole_file(lock);
        if (!text) continue;
        ++seen;
        if (*text != mark_prefix + host()) ++unmarked;
    }
    INFO("lock files seen: " << seen);
    CHECK(unmarked == 0);  // before: empty (just created) or the new uidlist (being written)
    CHECK(WIFEXITED(status));
}

TEST_CASE("a uidlist lock holder killed at any moment does not make the next one wait", "[maildir-faults]") {
    FaultMaildir m;
    const std::string target = m.uidlist();
    std::mt19937 rnd(12345);
    int slow = 0;
    for (int round = 0; round < 25; ++round) {
        pid_t child = ::fork();
        if (child == 0) {
            for (int i = 0;; ++i) {
                DotLock l = DotLock::acquire(target, LockTimeouts{5, 120});
                l.replace(std::string(20000, 'x') + std::to_string(i) + "\n", true);  // fsync: a long write
            }
        }
        ::usleep(2000 + rnd() % 20000);
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        auto start = std::chrono::steady_clock::now();
        try {
            DotLock l = DotLock::acquire(target, LockTimeouts{2, 120});
        } catch (const MailError&) {
            ++slow;  // before: a lock with no mark (or the list being written): 120 s
        }
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    }
    CHECK(slow == 0);
    // Nothing but the target (and a content file a killed writer left,
    // replaced by the next writer) stays behind.
    for (const auto& e : fs::directory_iterator(m.path)) {
        std::string name = e.path().filename().string();
        CHECK((name == "cur" || name == "new" || name == "tmp" || name == "dovecot-uidlist" ||
               name == "dovecot-uidlist.lock.new"));
    }
}

TEST_CASE("uidlist salvage keeps what it can read and says when UIDs cannot be trusted", "[maildir-faults]") {
    struct Case {
        const char* text;
        std::vector<Uid> uids;
        Uid next;
        bool keeps;
    } cases[] = {
        {"3 V7 N5\n1 :a\n2 :b\n", {1, 2}, 5, true},
        {"3 V7 N3\n1 :a\nx :b\n3 :c\n", {1, 3}, 4, true},         // an unreadable line between records
        {"3 V7 N3\n1 :a\n5 :\n3 :c\n", {1, 3}, 6, true},          // UID 5 was given: the next is above it
        {"3 V7 N3\n2 :a\n1 :b\n3 :c\n", {2, 3}, 4, true},         // out of order: b gets a new UID
        {"3 V7 N3\n1 :a\n2 :a\n", {1}, 3, true},                  // a name twice
        {"3 V7 N3\n1 :a\n\x01\x02garbage\n", {1}, 3, false},      // a lost line at the end: its UID is unknown
        {"3 N3\n1 :a\n2 :b\n", {1, 2}, 3, false},                 // no UIDVALIDITY
        {"3 V7\n1 :a\n", {1}, 2, false},                          // no next UID
        {"", {}, 1, false},
        {"garbage\n1 :a\n", {1}, 2, false},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        SalvagedUidlist s = salvage_uidlist(c.text);
        std::vector<Uid> uids;
        for (const auto& r : s.list.records) uids.push_back(r.uid);
        CHECK(uids == c.uids);
        CHECK(s.list.next_uid == c.next);
        CHECK(s.keeps_uidvalidity == c.keeps);
    }
}

TEST_CASE("a damaged dovecot-uidlist is rebuilt, keeping the UIDs it can match", "[maildir-faults]") {
    FaultMaildir m;
    Uid validity = 0;
    {
        MaildirMailbox w(m.str(), OpenMode::ReadWrite);
        for (const char* s : {"a", "b", "c"}) append(w, std::string("Subject: ") + s + "\n\nx\n");
        validity = w.uidvalidity();
    }
    std::string text = *read_whole_file(m.uidlist());
    // The line of UID 2 is damaged (a torn write of another program).
    size_t line2 = text.find("\n2 ") + 1;
    text.replace(line2, 1, "?");
    std::ofstream(m.uidlist(), std::ios::trunc) << text;
    {
        MaildirMailbox box(m.str(), OpenMode::ReadWrite);  // before: Corrupt, the mailbox could not be opened
        REQUIRE(box.count() == 3);
        CHECK(box.uidvalidity() == validity);
        CHECK(box.at(0).uid == 1);
        CHECK(box.at(1).uid == 3);
        CHECK(box.at(2).uid == 4);  // b, numbered again above every UID given
        MessageContent b = box.content(2);
        std::string bytes(b.length(), '\0');
        bytes.resize(b.read(0, bytes.data(), bytes.size()));
        CHECK(bytes == "Subject: b\n\nx\n");
    }
    CHECK(listed_uids(m.uidlist()) == std::vector<Uid>{1, 3, 4});

    // A header that cannot be read: a new UIDVALIDITY, the UIDs still kept.
    text = *read_whole_file(m.uidlist());
    text.replace(0, text.find('\n'), "3 garbage");
    std::ofstream(m.uidlist(), std::ios::trunc) << text;
    MaildirMailbox box(m.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 3);
    CHECK(box.uidvalidity() != validity);
    CHECK(box.at(2).uid == 4);
    CHECK(box.uidnext() == 5);
}
