// The maildir O_EXCL lock (dovecot-uidlist.lock) left by a SIGKILLed holder:
// the next delivery used to wait for Dovecot's 2-minute stale timeout (the
// intermittent 60 s dmail timeout in test_mbx_crash). Now the holder marks
// it "PID:HOST" under flock(), and a waiter breaks it at once when that
// process is gone; a live holder, an unmarked lock and another host's mark
// are still waited for.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/maildir/lock.hpp"
#include "lock/excl_lock_owner.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using mail::maildir::DotLock;
using mail::maildir::LockTimeouts;

namespace {

struct TempDir {
    fs::path dir;
    TempDir() {
        char tmpl[] = "/tmp/flakes-lock-XXXXXX";
        dir = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(dir); }
    std::string target() const { return (dir / "dovecot-uidlist").string(); }
    std::string lock() const { return target() + ".lock"; }
};

std::string host() {
    char h[256] = "";
    ::gethostname(h, sizeof h - 1);
    return h;
}

// A child that takes the lock, says so on a pipe and then waits to be killed.
pid_t child_holding(const std::string& target) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(p[0]);
        DotLock lock = DotLock::acquire(target, LockTimeouts{5, 120});
        (void)!::write(p[1], "x", 1);
        for (;;) ::pause();
    }
    ::close(p[1]);
    char c;
    REQUIRE(::read(p[0], &c, 1) == 1);
    ::close(p[0]);
    return pid;
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

// Seconds that acquire() took, or -1 when it ended in Busy.
double seconds_to_acquire(const std::string& target, int timeout_seconds) {
    auto start = std::chrono::steady_clock::now();
    try {
        DotLock lock = DotLock::acquire(target, LockTimeouts{timeout_seconds, 120});
    } catch (const mail::MailError&) {
        return -1;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("excl lock owner marks parse as Dovecot reads them", "[flakes]") {
    struct Case {
        const char* content;
        std::optional<pid_t> pid;
    } cases[] = {
        {"123:myhost", 123},   {"123:myhost\n", 123}, {"123:otherhost", std::nullopt},
        {"123", std::nullopt}, {"", std::nullopt},    {":myhost", std::nullopt},
        {"0:myhost", std::nullopt}, {"12a:myhost", std::nullopt}, {"-5:myhost", std::nullopt},
        {"3 V1 N2 G0\n", std::nullopt},  // a uidlist being written into the lock
        {"123:myhost\n\n", std::nullopt},
    };
    for (const Case& c : cases) {
        INFO(c.content);
        CHECK(mail::parse_excl_lock_owner(c.content, "myhost") == c.pid);
    }
}

TEST_CASE("a SIGKILLed holder's uidlist lock is broken at once", "[flakes]") {
    TempDir d;
    pid_t holder = child_holding(d.target());
    CHECK(file_text(d.lock()) == std::to_string(holder) + ":" + host());
    kill_and_reap(holder);
    double took = seconds_to_acquire(d.target(), 5);
    CHECK(took >= 0);  // before: Busy after 5 s (only the 120 s age rule)
    CHECK(took < 2);
}

TEST_CASE("a live holder's uidlist lock is waited for", "[flakes]") {
    TempDir d;
    pid_t holder = child_holding(d.target());
    CHECK(seconds_to_acquire(d.target(), 1) == -1);
    CHECK(fs::exists(d.lock()));
    kill_and_reap(holder);
}

TEST_CASE("unmarked or foreign uidlist locks keep the age rule", "[flakes]") {
    pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    for (std::string content : {std::string(), std::string("3 V1 N2\n"), std::to_string(dead) + ":not-" + host(),
                                std::to_string(::getpid()) + ":" + host()}) {
        INFO(content);
        TempDir d;
        std::ofstream(d.lock()) << content;  // Dovecot's, or a live process's mark
        CHECK(seconds_to_acquire(d.target(), 1) == -1);
        CHECK(file_text(d.lock()) == content);
    }
    TempDir d;
    std::ofstream(d.lock()) << std::to_string(dead) + ":" + host() << "\n";  // Dovecot's mark of a dead pid
    CHECK(seconds_to_acquire(d.target(), 1) >= 0);
}

TEST_CASE("replace() writes the content without the owner mark", "[flakes]") {
    TempDir d;
    DotLock lock = DotLock::acquire(d.target(), LockTimeouts{5, 120});
    lock.replace("3 V1 N1 G0\n", false);
    CHECK(file_text(d.target()) == "3 V1 N1 G0\n");
    CHECK(!fs::exists(d.lock()));
}
