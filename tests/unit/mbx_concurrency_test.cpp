// The mbx driver under concurrency and faults: relative flag changes start
// from the stored flags (ImapTest's store group), UW's /tmp lock file is
// raced for without errors, lock waiters queue, and a compaction killed
// half-way is finished by the next open.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/mbx/driver.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "lock/dot_lock.hpp"
#include "lock/kernel_lock.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::mbx;
namespace fs = std::filesystem;

namespace {

struct TempBox {
    fs::path dir, path;
    TempBox() {
        char tmpl[] = "/tmp/mbx-conc-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / "box";
        MbxDriver().create(path.string());
    }
    ~TempBox() { fs::remove_all(dir); }
    std::string str() const { return path.string(); }
    std::string bytes() const {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

Uid add(Mailbox& box, const std::string& text, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    req.internal_date = 1000000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

void age_mtime(const fs::path& p) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {1, 0}};
    ::utimensat(AT_FDCWD, p.c_str(), times, 0);
}

}  // namespace

TEST_CASE("mbx: relative flag changes of two sessions both stay (ImapTest store)", "[mbx-conc]") {
    TempBox m;
    {
        MbxMailbox init(m.str(), OpenMode::ReadWrite);
        add(init, "Subject: x\n\ny\n", kSeen);
    }
    MbxMailbox one(m.str(), OpenMode::ReadWrite);
    MbxMailbox two(m.str(), OpenMode::ReadWrite);
    REQUIRE(two.at(0).flags == kSeen);  // what session 2 believes
    CHECK(one.change_flags(0, {FlagChange::Op::Add, kAnswered, 0}));
    one.flush();
    age_mtime(m.path);
    CHECK(two.change_flags(0, {FlagChange::Op::Remove, kSeen, 0}));
    two.flush();
    CHECK((two.at(0).flags & kStorableFlags) == kAnswered);
    NullEventSink sink;
    one.sync(sink, true);
    CHECK((one.at(0).flags & kStorableFlags) == kAnswered);
    MbxMailbox three(m.str(), OpenMode::ReadOnly);
    CHECK((three.at(0).flags & kStorableFlags) == kAnswered);
}

TEST_CASE("mbx: a relative change that the disk already has still updates the session's copy", "[mbx-conc]") {
    TempBox m;
    {
        MbxMailbox init(m.str(), OpenMode::ReadWrite);
        add(init, "Subject: x\n\ny\n");
    }
    MbxMailbox one(m.str(), OpenMode::ReadWrite);
    MbxMailbox two(m.str(), OpenMode::ReadWrite);
    one.change_flags(0, {FlagChange::Op::Add, kFlagged, 0});
    one.flush();
    age_mtime(m.path);
    // two does not know of \Flagged; its +FLAGS (\Flagged) changes nothing on disk.
    CHECK(two.change_flags(0, {FlagChange::Op::Add, kFlagged, 0}));
    two.flush();
    CHECK((two.at(0).flags & kStorableFlags) == kFlagged);
    CHECK_FALSE(two.change_flags(0, {FlagChange::Op::Add, kFlagged, 0}));
    two.flush();
}

namespace {

// Children that take and drop the parse lock of one file as fast as they
// can; the exit status is how many attempts failed with an error.
int race_parse_lock(const std::string& file, int children, double seconds) {
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
        pid_t pid = ::fork();
        if (pid == 0) {
            int errors = 0;
            UniqueFd fd(::open(file.c_str(), O_RDWR));
            struct timespec start, now;
            ::clock_gettime(CLOCK_MONOTONIC, &start);
            do {
                try {
                    UwParseLock lock = UwParseLock::acquire(fd.get(), c % 2 ? LOCK_SH : LOCK_EX, 5);
                } catch (const MailError& e) {
                    if (!errors++) std::fprintf(stderr, "lock race: %s\n", e.what());
                }
                ::clock_gettime(CLOCK_MONOTONIC, &now);
            } while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
            ::_exit(errors > 100 ? 100 : errors);
        }
        pids.push_back(pid);
    }
    int errors = 0;
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        errors += WIFEXITED(status) ? WEXITSTATUS(status) : 100;
    }
    return errors;
}

}  // namespace

TEST_CASE("mbx: processes racing to create and remove UW's /tmp lock file get no error", "[mbx-conc]") {
    TempBox m;
    CHECK(race_parse_lock(m.str(), 8, 1.5) == 0);  // before: 1-9 "Operation not permitted"
}

TEST_CASE("mbx: a /tmp lock file left by another user with mode 0644 is still locked", "[mbx-conc]") {
    if (::geteuid() != 0) return;  // needs a file of another owner
    TempBox m;
    ::chmod(m.dir.c_str(), 0755);
    ::chmod(m.str().c_str(), 0644);
    UniqueFd fd(::open(m.str().c_str(), O_RDWR));
    const std::string path = UwParseLock::path_for(fd.get());
    {
        UniqueFd lf(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0644));
        REQUIRE(lf);
        REQUIRE(::fchown(lf.get(), 65534, 65534) == 0);  // nobody's, as UW's tools may leave it
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgid(65534) < 0 || ::setuid(1) < 0) ::_exit(3);  // daemon: neither owner nor root
        UniqueFd box(::open(m.str().c_str(), O_RDONLY));
        try {
            UwParseLock lock = UwParseLock::acquire(box.get(), LOCK_EX, 2);
            ::_exit(lock.held() ? 0 : 1);
        } catch (const MailError&) {
            ::_exit(2);
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::unlink(path.c_str());
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

namespace {

void nap_ms(long ms) {
    struct timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&ts, nullptr);
}

// The order in which waiters got the lock of `file`: waiter 0 starts first,
// waiters 1..n-1 a little later, while the parent holds the lock; each
// holds it for hold_ms once it has it. lock(fd) takes it (throws on timeout).
template <typename Lock>
std::vector<int> lock_order(const std::string& file, int n, long hold_ms, Lock lock) {
    UniqueFd held(::open(file.c_str(), O_RDWR));
    auto first = lock(held.get());
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            UniqueFd fd(::open(file.c_str(), O_RDWR));
            try {
                auto l = lock(fd.get());
                char c = static_cast<char>('a' + i);
                (void)!::write(fds[1], &c, 1);
                nap_ms(hold_ms);
            } catch (const MailError&) {
                char c = '!';
                (void)!::write(fds[1], &c, 1);
            }
            ::_exit(0);
        }
        pids.push_back(pid);
        nap_ms(i == 0 ? 300 : 10);  // the first waiter has waited long by the time others come
    }
    nap_ms(100);
    ::close(fds[1]);
    { auto drop = std::move(first); }
    std::vector<int> order;
    char c;
    while (::read(fds[0], &c, 1) == 1) order.push_back(c == '!' ? -1 : c - 'a');
    ::close(fds[0]);
    for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
    return order;
}

}  // namespace

TEST_CASE("lock waits queue: the first flock waiter is served first, not after later ones", "[lock-fair]") {
    TempBox m;
    for (int round = 0; round < 3; ++round) {
        auto order = lock_order(m.str(), 6, 30, [](int fd) {
            flock_wait(fd, LOCK_EX, 10);
            struct Unlock {
                int fd;
                Unlock(int f) : fd(f) {}
                Unlock(Unlock&& o) noexcept : fd(o.fd) { o.fd = -1; }
                ~Unlock() { if (fd >= 0) ::flock(fd, LOCK_UN); }
            };
            return Unlock(fd);
        });
        REQUIRE(order.size() == 6);
        CHECK(order[0] == 0);
    }
}

TEST_CASE("lock waits queue: the first parse-lock waiter is served first", "[lock-fair]") {
    TempBox m;
    for (int round = 0; round < 3; ++round) {
        auto order = lock_order(m.str(), 6, 30, [](int fd) { return UwParseLock::acquire(fd, LOCK_EX, 10); });
        REQUIRE(order.size() == 6);
        CHECK(order[0] == 0);
    }
}

TEST_CASE("lock waits queue: the first fcntl+flock waiter (unix mbox) is served first", "[lock-fair]") {
    TempBox m;
    for (int round = 0; round < 3; ++round) {
        auto order = lock_order(m.str(), 6, 30, [](int fd) { return KernelLock::acquire(fd, true, 10); });
        REQUIRE(order.size() == 6);
        CHECK(order[0] == 0);
    }
}

TEST_CASE("lock waits queue: a wait still ends at the timeout", "[lock-fair]") {
    TempBox m;
    UniqueFd held(::open(m.str().c_str(), O_RDWR));
    UniqueFd other(::open(m.str().c_str(), O_RDWR));
    flock_wait(held.get(), LOCK_EX, 1);
    struct timespec a, b;
    ::clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK_THROWS_AS(flock_wait(other.get(), LOCK_EX, 1), MailError);
    ::clock_gettime(CLOCK_MONOTONIC, &b);
    const double waited = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    CHECK(waited >= 0.99);
    CHECK(waited < 1.5);
}

TEST_CASE("lock waits queue: the first dot-lock waiter is served first", "[lock-fair]") {
    TempBox m;
    const std::string file = m.str();
    for (int round = 0; round < 3; ++round) {
        auto order = lock_order(file, 6, 30, [&](int) {
            DotLockTimeouts t;
            t.timeout_seconds = 10;
            return MailDotLock::acquire(file, t);
        });
        REQUIRE(order.size() == 6);
        CHECK(order[0] == 0);
    }
}
