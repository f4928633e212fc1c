// The unix driver's append journal and the repair after a killed append:
// the record's format, and the file after a partial append alone, a partial
// append followed by another writer's (procmail's) message, a finished
// append, and a record of a live process. [formats2]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "drivers/unix/append_journal.hpp"
#include "drivers/unix/append_repair.hpp"
#include "drivers/unix/driver.hpp"
#include "drivers/unix/lock.hpp"
#include "index/index_path.hpp"

using namespace mail;
using namespace mail::unixmbox;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/unix-repair-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void spit(const std::string& path, const std::string& bytes, bool append) {
    std::ofstream f(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f << bytes;
}

std::string subject(Mailbox& box, size_t i) {
    MessageContent c = box.content(i);
    std::string s(c.length(), '\0');
    c.read(0, s.data(), s.size());
    size_t at = s.find("Subject: ");
    return at == std::string::npos ? "" : s.substr(at + 9, s.find('\n', at) - at - 9);
}

// A PID that no process has (a child that has exited and been reaped).
pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status;
    ::waitpid(pid, &status, 0);
    return pid;
}

// A mailbox of two messages, written by the driver.
struct Fixture {
    std::string dir = temp_dir(), path = dir + "/box", journal = index_file_path(path, "", "append");
    std::string before;
    Fixture() {
        UnixDriver driver;
        driver.create(path);
        auto box = driver.open(path, OpenMode::ReadWrite);
        for (const char* s : {"one", "two"}) {
            auto sink = box->append(AppendRequest{});
            sink->write(std::string("Subject: ") + s + "\r\n\r\nbody " + s + "\r\n");
            sink->commit();
        }
        box.reset();
        before = slurp(path);
    }
    ~Fixture() { std::system(("rm -rf " + dir).c_str()); }

    // What a killed append leaves: its record, then `written` of its bytes.
    std::string ours = "From me@example.org Mon Jan  1 00:00:00 2024\nStatus: \nX-Status: \nX-Keywords:\nX-UID: 3\n"
                       "Subject: ours\n\nthe body of ours, which is longer than what was written\n\n";
    static constexpr size_t kHead = 86;  // the From line and status lines
    void killed_append(size_t written, pid_t pid) {
        JournalRecord r = journal_for_self(before.size(), before.size(), ours.size(), ours.substr(0, kHead));
        r.pid = pid;
        REQUIRE(make_index_dir(journal));
        spit(journal, format_journal(r), false);
        spit(path, ours.substr(0, written), true);
    }
    RepairOutcome repair() {
        MboxLock lock = MboxLock::acquire(path, true, true);
        AppendJournal j(journal);
        REQUIRE(j.active());
        return repair_append(path, lock.fd(), j);
    }
};

const std::string kProcmail =
    "From procmail@example.net Tue Jan  2 10:00:00 2024\nSubject: theirs\n\nprocmail's body\n>From quoted\n\n";

}  // namespace

TEST_CASE("append journal: record format", "[formats2]") {
    JournalRecord r{1234, 5678, "host.example", 100, 101, 2000, "\nFrom a@b Mon Jan  1 00:00:00 2024\n"};
    CHECK(format_journal(r) == "1234 5678 host.example 100 101 2000 35\n\nFrom a@b Mon Jan  1 00:00:00 2024\n");
    CHECK(parse_journal(format_journal(r)) == r);
    struct Case {
        std::string text;
        bool ok;
    } cases[] = {
        {"1234 5678 h 100 100 2000 6\nFrom x", true},
        {"1234 0 h 0 1 7 7\n\nFrom x", true},
        {"1234 5678 h 100 100 2000 6\nFrom ", false},    // torn: the head cut short
        {"1234 5678 h 100 100 2000 6", false},           // torn: no newline
        {"", false},
        {"1234 5678 h 100 100 2000\nFrom x", false},     // a field missing
        {"1234 5678 h 100 100 2000 6 9\nFrom x", false},
        {"0 5678 h 100 100 2000 6\nFrom x", false},      // no such PID
        {"-1 5678 h 100 100 2000 6\nFrom x", false},
        {"12x 5678 h 100 100 2000 6\nFrom x", false},
        {"1234 5678 h 100 102 2000 6\nFrom x", false},   // From line more than one byte after START
        {"1234 5678 h 100 99 2000 6\nFrom x", false},    // ... or before it
        {"1234 5678 h 100 101 2000 6\nFrom x", false},   // FROM says a newline first; the head has none
        {"1234 5678 h 100 100 2000 6\nfrom x", false},   // the head is not a From line
        {"1234 5678 h 100 100 5 6\nFrom x", false},      // shorter than its head
        {"1234 5678  100 100 2000 6\nFrom x", false},    // no host
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(parse_journal(c.text).has_value() == c.ok);
    }
}

TEST_CASE("append journal: liveness of the writer", "[formats2]") {
    CHECK(writer_alive(journal_for_self(0, 0, 10, "From ")));
    JournalRecord dead = journal_for_self(0, 0, 10, "From ");
    dead.pid = dead_pid();
    CHECK_FALSE(writer_alive(dead));
    JournalRecord reused = journal_for_self(0, 0, 10, "From ");  // our PID, another start time
    reused.start_time += 12345;
    CHECK_FALSE(writer_alive(reused));
    JournalRecord remote = dead;
    remote.host = "another-host.example";
    CHECK(writer_alive(remote));  // a PID of another host tells us nothing
}

TEST_CASE("append repair: partial append alone is cut back", "[formats2]") {
    for (size_t written : {size_t{0}, size_t{1}, size_t{20}, size_t{60}, size_t{95}}) {
        INFO(written);
        Fixture f;
        f.killed_append(written, dead_pid());
        CHECK(f.repair() == (written ? RepairOutcome::Truncated : RepairOutcome::Nothing));
        CHECK(slurp(f.path) == f.before);
        CHECK_FALSE(journal_pending(f.journal));
    }
}

TEST_CASE("append repair: another writer's message after the partial bytes is kept", "[formats2]") {
    // 54 and 100: the partial bytes end at a line end; 70 and 120: in the
    // middle of a line, so procmail's From line does not start a line; 20:
    // in our From line, so what follows differs from the head we meant.
    for (size_t written : {size_t{20}, size_t{54}, size_t{70}, size_t{100}, size_t{120}}) {
        INFO(written);
        Fixture f;
        f.killed_append(written, dead_pid());
        spit(f.path, kProcmail, true);
        CHECK(f.repair() == RepairOutcome::Cut);
        CHECK(slurp(f.path) == f.before + kProcmail);
        CHECK_FALSE(journal_pending(f.journal));
        UnixDriver driver;
        auto box = driver.open(f.path, OpenMode::ReadOnly);
        REQUIRE(box->count() == 3);
        CHECK(subject(*box, 0) == "one");
        CHECK(subject(*box, 1) == "two");
        CHECK(subject(*box, 2) == "theirs");
    }
}

TEST_CASE("append repair: killed before its first byte, another writer's message where ours was to go", "[formats2]") {
    SECTION("the file ended with a newline") {
        Fixture f;
        f.killed_append(0, dead_pid());
        spit(f.path, kProcmail, true);
        CHECK(f.repair() == RepairOutcome::Finished);  // nothing of ours there: all kept
        CHECK(slurp(f.path) == f.before + kProcmail);
        CHECK_FALSE(journal_pending(f.journal));
    }
    SECTION("the file lacked its last newline: ours was to come first") {
        for (size_t written : {size_t{0}, size_t{1}, size_t{10}}) {
            INFO(written);
            Fixture f;
            std::string cut = f.before.substr(0, f.before.size() - 2);  // "body two" without its newline
            spit(f.path, cut, false);
            f.before = cut;
            std::string head = "\n" + f.ours.substr(0, Fixture::kHead);
            JournalRecord r = journal_for_self(cut.size(), cut.size() + 1, f.ours.size() + 1, head);
            r.pid = dead_pid();
            REQUIRE(make_index_dir(f.journal));
            spit(f.journal, format_journal(r), false);
            std::string partial = head.substr(0, written);
            spit(f.path, partial, true);
            spit(f.path, kProcmail, true);
            f.repair();
            // our newline stays before their From line; our other bytes go
            CHECK(slurp(f.path) == cut + (written ? "\n" : "") + kProcmail);
            CHECK_FALSE(journal_pending(f.journal));
        }
    }
}

TEST_CASE("append repair: a finished append and a live writer's record are kept", "[formats2]") {
    SECTION("finished, alone and followed by another message") {
        for (bool more : {false, true}) {
            Fixture f;
            f.killed_append(f.ours.size(), dead_pid());
            if (more) spit(f.path, kProcmail, true);
            std::string whole = slurp(f.path);
            CHECK(f.repair() == RepairOutcome::Finished);
            CHECK(slurp(f.path) == whole);
            CHECK_FALSE(journal_pending(f.journal));
        }
    }
    SECTION("live writer") {
        Fixture f;
        f.killed_append(40, ::getpid());
        std::string partial = slurp(f.path);
        CHECK(f.repair() == RepairOutcome::LeftAlone);
        CHECK(slurp(f.path) == partial);
        CHECK(journal_pending(f.journal));
    }
    SECTION("torn record: cleared, file unchanged") {
        Fixture f;
        REQUIRE(make_index_dir(f.journal));
        spit(f.journal, "1234 5678 h 1", false);
        CHECK(f.repair() == RepairOutcome::Nothing);
        CHECK(slurp(f.path) == f.before);
        CHECK_FALSE(journal_pending(f.journal));
    }
}

TEST_CASE("append repair: done by the next open, sync and append", "[formats2]") {
    UnixDriver driver;
    SECTION("open") {
        Fixture f;
        f.killed_append(50, dead_pid());
        auto box = driver.open(f.path, OpenMode::ReadOnly);
        CHECK(box->count() == 2);
        CHECK(slurp(f.path) == f.before);
    }
    SECTION("sync of an open session, procmail wrote after the partial bytes") {
        Fixture f;
        auto box = driver.open(f.path, OpenMode::ReadWrite);
        f.killed_append(50, dead_pid());
        spit(f.path, kProcmail, true);
        NullEventSink sink;
        box->sync(sink, true);
        REQUIRE(box->count() == 3);
        CHECK(subject(*box, 2) == "theirs");
    }
    SECTION("append through a mailbox opened before the kill") {
        Fixture f;
        auto box = driver.open(f.path, OpenMode::Deliver);
        f.killed_append(50, dead_pid());
        auto sink = box->append(AppendRequest{});
        sink->write("Subject: three\r\n\r\nbody three\r\n");
        Uid uid = sink->commit();
        CHECK(uid == 3);
        CHECK_FALSE(journal_pending(f.journal));
        box.reset();
        auto check = driver.open(f.path, OpenMode::ReadOnly);
        REQUIRE(check->count() == 3);
        CHECK(subject(*check, 2) == "three");
        CHECK(slurp(f.path).find("ours") == std::string::npos);
    }
}

TEST_CASE("append repair: a killed append process leaves no trace", "[formats2]") {
    // A child appends a 16 MB message and is SIGKILLed a moment after its
    // commit begins: afterwards the mailbox holds the two messages, or three
    // with the whole big one, never part of it.
    std::string piece = "Subject: big\r\n\r\n";
    std::string line = std::string(62, 'b') + "\r\n";
    for (int round = 0; round < 4; ++round) {  // each waits 2 s for the dead owner's dot lock
        Fixture f;
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        pid_t child = ::fork();
        if (child == 0) {
            UnixDriver driver;
            auto box = driver.open(f.path, OpenMode::Deliver);
            auto sink = box->append(AppendRequest{});
            sink->write(piece);
            for (int i = 0; i < 256 * 1024; ++i) sink->write(line);
            if (::write(ready[1], "c", 1) != 1) ::_exit(1);
            sink->commit();
            ::_exit(0);
        }
        ::close(ready[1]);
        char c;
        REQUIRE(::read(ready[0], &c, 1) == 1);
        ::close(ready[0]);
        ::usleep(static_cast<useconds_t>(6000 + round * 6000));  // after the temporary file's fsync, often
        ::kill(child, SIGKILL);
        int status;
        ::waitpid(child, &status, 0);
        UnixDriver driver;
        auto box = driver.open(f.path, OpenMode::ReadOnly);
        INFO(round);
        REQUIRE((box->count() == 2 || box->count() == 3));
        if (box->count() == 3) CHECK(box->at(2).size >= piece.size() + 256 * 1024 * line.size());
        CHECK_FALSE(journal_pending(f.journal));
    }
}
