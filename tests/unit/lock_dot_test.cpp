// Dot locks left behind: which are stale (old, or naming a dead local
// process), which are waited for, and that waiting ends in Busy after the
// timeout with the other holder's lock left in place.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "lock/dot_lock.hpp"
#include "lock/lock_timeout.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using mail::DotLockTimeouts;
using mail::MailDotLock;

namespace {

struct LockDir {
    fs::path dir;
    LockDir() {
        char tmpl[] = "/tmp/dotlock-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
    ~LockDir() { fs::remove_all(dir); }
    std::string mailbox() const { return (dir / "INBOX").string(); }
    std::string lock() const { return mailbox() + ".lock"; }
    // A lock file as another program left it: content, mtime age seconds ago.
    void leave_lock(const std::string& content, int age_seconds) const {
        std::ofstream(lock()) << content;
        struct timeval times[2];
        ::gettimeofday(&times[0], nullptr);
        times[0].tv_sec -= age_seconds;
        times[1] = times[0];
        REQUIRE(::utimes(lock().c_str(), times) == 0);
    }
};

// The PID of a process that has exited (reaped, so the number is free).
pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

}  // namespace

TEST_CASE("dot lock staleness: age, and a dead owner on a local file system", "[formats]") {
    const std::string me = std::to_string(::getpid()) + "\n";
    const std::string dead = std::to_string(dead_pid()) + "\n";
    struct Case {
        const char* what;
        std::string content;
        int age;
        bool stale;
    };
    const Case cases[] = {
        {"procmail's empty lock, fresh", "", 0, false},
        {"procmail's empty lock, 1 minute", "", 60, false},
        {"procmail's empty lock, 6 minutes (UW LOCKTIMEOUT 5)", "", 360, true},
        {"a live owner, 1 minute", me, 60, false},
        {"a live owner, 6 minutes", me, 360, true},
        {"a dead owner, just made", dead, 0, false},
        {"a dead owner, 3 seconds", dead, 3, true},
        {"not a PID, 3 seconds", "hello\n", 3, false},
        {"a PID and a host name, dead, 3 seconds", dead.substr(0, dead.size() - 1) + " host\n", 3, true},
    };
    for (const Case& c : cases) {
        LockDir d;
        d.leave_lock(c.content, c.age);
        INFO(c.what);
        CHECK(MailDotLock::is_stale(d.lock(), DotLockTimeouts{}, ::time(nullptr)) == c.stale);
    }
}

TEST_CASE("a stale dot lock is removed and taken; a live one is waited for, then Busy", "[formats]") {
    {
        LockDir d;
        d.leave_lock("", 400);
        MailDotLock lock = MailDotLock::acquire(d.mailbox());
        CHECK(lock.held());
        std::ifstream in(d.lock());
        std::string pid;
        std::getline(in, pid);
        CHECK(pid == std::to_string(::getpid()));  // ours now, naming us
    }
    {
        LockDir d;
        d.leave_lock("", 10);  // another program's, in use
        DotLockTimeouts t;
        t.timeout_seconds = 1;
        auto start = std::chrono::steady_clock::now();
        try {
            MailDotLock::acquire(d.mailbox(), t);
            FAIL("acquired a lock held by another");
        } catch (const mail::MailError& e) {
            CHECK(e.kind() == mail::ErrorKind::Busy);
        }
        auto waited = std::chrono::steady_clock::now() - start;
        CHECK(waited >= std::chrono::milliseconds(900));
        CHECK(waited < std::chrono::seconds(3));
        CHECK(fs::exists(d.lock()));  // not ours to remove
    }
}

TEST_CASE("the lock timeout is process-wide and the default of every dot lock", "[formats]") {
    int before = mail::lock_timeout_seconds();
    mail::set_lock_timeout_seconds(7);
    CHECK(DotLockTimeouts{}.timeout_seconds == 7);
    mail::set_lock_timeout_seconds(0);
    CHECK(mail::lock_timeout_seconds() == 1);  // never "do not wait at all"
    mail::set_lock_timeout_seconds(before);
}
