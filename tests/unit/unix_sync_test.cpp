// The unix driver's sync takes no lock when the mbox, the pending-flags file
// and the append journal are as the last locked read left them, and still
// sees a change made meanwhile (UW's unix_ping). [unixsync]
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drivers/unix/driver.hpp"
#include "drivers/unix/lock.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"
#include "lock/lock_timeout.hpp"
#include "util/error.hpp"

using namespace mail;

namespace {

struct Events : EventSink {
    std::vector<std::string> seen;
    void expunged(size_t s) override { seen.push_back("expunged " + std::to_string(s)); }
    void exists(size_t n) override { seen.push_back("exists " + std::to_string(n)); }
    void flags_changed(size_t s) override { seen.push_back("flags " + std::to_string(s)); }
};

std::string temp_dir() {
    char tmpl[] = "/tmp/unixsync-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

const char kDelivery[] = "From someone@example.com  Wed Dec  2 05:53:22 1992\nSubject: new\n\nbody\n\n";

void write_box(const std::string& path, int age_seconds) {
    std::ofstream(path, std::ios::binary) << "From a@example.com  Wed Dec  2 05:53:22 1992\nSubject: 1\n\none\n\n";
    struct timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= age_seconds;
    times[1] = times[0];
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

// Another program (procmail, Postfix) holding every lock an mbox writer
// takes: the dot lock naming it, fcntl and flock; on 'a' it appends a
// message under them; on 'D' it lets go of the dot lock 1.2 s later (and
// keeps the kernel locks); when the pipe closes it lets go and exits.
class LockHolder {
public:
    explicit LockHolder(const std::string& path) {
        int to_child[2], from_child[2];
        REQUIRE(::pipe(to_child) == 0);
        REQUIRE(::pipe(from_child) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(to_child[1]);
            ::close(from_child[0]);
            int fd = ::open(path.c_str(), O_RDWR);
            struct flock fl {};
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            if (fd < 0 || ::fcntl(fd, F_SETLK, &fl) < 0 || ::flock(fd, LOCK_EX | LOCK_NB) < 0) ::_exit(1);
            std::string lock = path + ".lock", me = std::to_string(::getpid()) + "\n";
            int lfd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (lfd < 0 || ::write(lfd, me.data(), me.size()) != static_cast<ssize_t>(me.size())) ::_exit(1);
            ::close(lfd);
            if (::write(from_child[1], "r", 1) != 1) ::_exit(1);
            char c;
            while (::read(to_child[0], &c, 1) == 1) {
                if (c == 'D') {
                    ::usleep(1200000);
                    ::unlink(lock.c_str());
                    continue;
                }
                ::lseek(fd, 0, SEEK_END);
                if (::write(fd, kDelivery, sizeof kDelivery - 1) < 0) ::_exit(1);
                if (::write(from_child[1], "a", 1) != 1) ::_exit(1);
            }
            ::unlink(lock.c_str());
            ::_exit(0);
        }
        ::close(to_child[0]);
        ::close(from_child[1]);
        to_ = to_child[1];
        from_ = from_child[0];
        char c = 0;
        REQUIRE(::read(from_, &c, 1) == 1);
        REQUIRE(c == 'r');
    }
    void deliver() {
        char c = 0;
        REQUIRE(::write(to_, "a", 1) == 1);
        REQUIRE(::read(from_, &c, 1) == 1);
    }
    void drop_dot_lock_soon() { REQUIRE(::write(to_, "D", 1) == 1); }
    void release() {
        if (pid_ <= 0) return;
        ::close(to_);
        ::close(from_);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    ~LockHolder() { release(); }

private:
    pid_t pid_ = 0;
    int to_ = -1, from_ = -1;
};

// True when the sync waited for the locks (and gave up: Busy).
bool sync_waited(Mailbox& box, Events& events) {
    try {
        box.sync(events, true);
        return false;
    } catch (const MailError& e) {
        CHECK(e.kind() == ErrorKind::Busy);
        return true;
    }
}

struct TimeoutGuard {
    int before = lock_timeout_seconds();
    TimeoutGuard() { set_lock_timeout_seconds(1); }
    ~TimeoutGuard() { set_lock_timeout_seconds(before); }
};

}  // namespace

TEST_CASE("unix sync: nothing changed takes no lock; a change is seen once the lock is released", "[unixsync]") {
    TimeoutGuard timeout;
    std::string dir = temp_dir(), path = dir + "/box";
    write_box(path, 3600);
    auto box = unixmbox::UnixDriver().open(path, OpenMode::ReadOnly);
    Events first;
    box->sync(first, true);  // the locked read that the next syncs compare with
    REQUIRE(box->count() == 1);

    LockHolder other(path);
    Events unchanged;
    auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(sync_waited(*box, unchanged));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
    CHECK(unchanged.seen.empty());

    other.deliver();  // a change under the locks: the sync must wait for them
    Events during;
    CHECK(sync_waited(*box, during));
    CHECK(box->count() == 1);

    other.release();
    Events after;
    box->sync(after, true);
    CHECK(after.seen == std::vector<std::string>{"exists 2"});
    REQUIRE(box->count() == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("unix sync: a recent mtime or an append journal record means a locked check", "[unixsync]") {
    TimeoutGuard timeout;
    struct Case {
        const char* what;
        int age_seconds;  // of the mbox's mtime when opened
        bool journal;     // a record in the append journal
        bool waits;       // the sync with nothing else changed takes the locks
    };
    const Case cases[] = {
        {"settled, no journal", 3600, false, false},
        {"modified just now", 0, false, true},
        {"settled, a journal record", 3600, true, true},
    };
    for (const Case& c : cases) {
        SECTION(c.what) {
            std::string dir = temp_dir(), path = dir + "/box";
            write_box(path, c.age_seconds);
            auto box = unixmbox::UnixDriver().open(path, OpenMode::ReadOnly);
            Events first;
            box->sync(first, true);
            if (c.journal) {
                std::string journal = index_file_path(path, "", "append");
                ::mkdir(journal.substr(0, journal.rfind('/')).c_str(), 0700);
                std::ofstream(journal, std::ios::binary) << "1 0 elsewhere 0 0 10 0\n";
            }
            LockHolder other(path);
            Events events;
            CHECK(sync_waited(*box, events) == c.waits);
            CHECK(box->count() == 1);
            other.release();
            std::filesystem::remove_all(dir);
        }
    }
}

TEST_CASE("unix lock: the dot lock and the kernel locks share one timeout", "[unixsync]") {
    std::string dir = temp_dir(), path = dir + "/box";
    write_box(path, 0);
    LockHolder other(path);
    other.drop_dot_lock_soon();  // after 1.2 s of our 2 s; its kernel locks stay
    auto start = std::chrono::steady_clock::now();
    try {
        unixmbox::MboxLock::acquire(path, false, false, 2);
        FAIL("locked a mailbox whose kernel locks another process holds");
    } catch (const MailError& e) {
        CHECK(e.kind() == ErrorKind::Busy);
    }
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= std::chrono::milliseconds(1200));  // the dot lock was waited for
    CHECK(waited < std::chrono::milliseconds(2900));   // not 1.2 s + another 2 s
    other.release();
    std::filesystem::remove_all(dir);
}

namespace {

Uid append_one(Mailbox& box, std::string_view text) {
    auto sink = box.append(AppendRequest{});
    sink->write(text);
    return sink->commit();
}

}  // namespace

TEST_CASE("unix sync: our own append needs no lock at the next sync, another's same-second append does",
          "[unixsync][unix2]") {
    TimeoutGuard timeout;
    struct Case {
        const char* what;
        bool other_delivers;  // another program appends between our commit and our sync
    };
    const Case cases[] = {{"only ours", false}, {"another's right after ours", true}};
    for (const Case& c : cases) {
        SECTION(c.what) {
            std::string dir = temp_dir(), path = dir + "/box";
            write_box(path, 0);  // mtime now: the 2-second rule would lock
            auto box = unixmbox::UnixDriver().open(path, OpenMode::ReadWrite);
            Events first;
            box->sync(first, true);
            REQUIRE(box->count() == 1);
            Uid uid = append_one(*box, "Subject: mine\r\n\r\nmy body\r\n");

            LockHolder other(path);  // holds every lock from here
            if (c.other_delivers) other.deliver();
            Events events;
            auto start = std::chrono::steady_clock::now();
            CHECK(sync_waited(*box, events) == c.other_delivers);
            if (!c.other_delivers) {
                CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
                CHECK(events.seen == std::vector<std::string>{"exists 2"});
                REQUIRE(box->count() == 2);
                CHECK(box->at(1).uid == uid);
                MessageContent content = box->content(1);
                std::string text(content.length(), '\0');
                text.resize(content.read(0, text.data(), text.size()));
                CHECK(text.find("my body") != std::string::npos);
                CHECK(text.find("X-UID") == std::string::npos);
                // Used once: inside 2 s of that mtime, the next sync locks again.
                Events again;
                CHECK(sync_waited(*box, again));
            }
            other.release();
            Events after;
            box->sync(after, true);
            REQUIRE(box->count() == (c.other_delivers ? 3u : 2u));
            CHECK(box->at(1).uid == uid);
            std::filesystem::remove_all(dir);
        }
    }
}
