#include "lock/dot_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <optional>

#include "index/index_path.hpp"
#include "lock/lock_wait.hpp"
#include "lock/uw_lock.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail {

namespace {

std::string hitch_name(const std::string& lock_path) {
    static std::atomic<unsigned> counter{0};
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    for (char* p = host; *p; ++p)
        if (*p == '/') *p = '_';
    return lock_path + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
           std::to_string(::time(nullptr)) + "." + host;
}

void nap_ms(long ms) {
    struct timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&ts, nullptr);
}

// One attempt: 1 got it, 0 held by another, -1 cannot make dot locks here.
int try_link(const std::string& lock_path) {
    std::string hitch = hitch_name(lock_path);
    int fd = ::open(hitch.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EACCES || errno == EROFS || errno == EPERM) return -1;
        throw MailError(ErrorKind::Io, std::string("cannot create a lock file: ") + std::strerror(errno));
    }
    // procmail and UW leave the lock empty or write a pid; a pid helps people.
    std::string pid = std::to_string(::getpid()) + "\n";
    (void)!::write(fd, pid.data(), pid.size());
    ::close(fd);
    int rc = ::link(hitch.c_str(), lock_path.c_str());
    int err = errno;
    struct stat st;
    bool linked = rc == 0 || (::stat(hitch.c_str(), &st) == 0 && st.st_nlink == 2);
    ::unlink(hitch.c_str());
    if (linked) return 1;
    if (err == EEXIST || err == EINTR || err == EIO) return 0;  // EIO: NFS retry
    if (err == EPERM || err == EACCES) return -1;               // no hard links here
    return 0;
}

constexpr long kNfsSuperMagic = 0x6969;

// The PID a lock file names ("PID\n", as we, dotlockfile -p and Dovecot
// write it), or 0 (empty as procmail and Postfix leave it, or not a PID).
pid_t owner_of(const std::string& lock_path) {
    int fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[32];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    long pid = 0;
    ssize_t i = 0;
    for (; i < n && buf[i] >= '0' && buf[i] <= '9' && pid < 1 << 30; ++i) pid = pid * 10 + (buf[i] - '0');
    if (i == 0 || (i < n && buf[i] != '\n' && buf[i] != ' ')) return 0;
    return static_cast<pid_t>(pid);
}

// Our waiters for one dot lock queue on an flock() of a hidden file beside
// the mailbox (DIR/.imapd/NAME.dotlock-queue, index/index_path.hpp), so
// that only the head of the queue polls for the dot lock and the others
// are served in turn (issue 17: a poller can lose every race). Only our
// processes take it; procmail and Postfix still poll beside the head. No
// queue where that directory cannot be made: everyone polls, as before.
class DotLockQueue {
public:
    DotLockQueue(const std::string& file, long timeout_ms) {
        const std::string path = index_file_path(file, "", "dotlock-queue");
        if (!make_index_dir(path)) return;
        fd_.reset(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd_) return;
        if (flock_retry(fd_.get(), LOCK_EX | LOCK_NB)) return;
        LockWait r = blocking_lock_wait([&] { return ::flock(fd_.get(), LOCK_EX); }, timeout_ms);
        if (r == LockWait::TimedOut)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another program; try again later");
        if (r != LockWait::Locked) fd_.reset();  // no queue: poll with the others
    }
    bool queued() const { return static_cast<bool>(fd_); }

private:
    UniqueFd fd_;  // closing it lets the next waiter in
};

bool process_gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) < 0 && errno == ESRCH; }

bool on_nfs(const std::string& lock_path) {
    struct statfs fs;
    return ::statfs(lock_path.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kNfsSuperMagic;
}

}  // namespace

bool MailDotLock::is_stale(const std::string& lock_path, const DotLockTimeouts& timeouts, time_t now) {
    struct stat st;
    if (::lstat(lock_path.c_str(), &st) < 0) return false;
    time_t age = now - st.st_mtime;
    if (age > timeouts.stale_seconds) return true;
    return age >= timeouts.dead_owner_seconds && !on_nfs(lock_path) && process_gone(owner_of(lock_path));
}

MailDotLock::MailDotLock(MailDotLock&& other) noexcept : lock_path_(std::move(other.lock_path_)) {
    other.lock_path_.clear();
}

MailDotLock MailDotLock::acquire(const std::string& file, DotLockTimeouts timeouts) {
    std::string lock_path = lock_path_for(file);
    // A monotonic deadline: time()'s whole seconds would make a one-second
    // timeout anything from a moment to a second.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeouts.timeout_seconds);
    long wait_ms = 20;
    std::optional<DotLockQueue> queue;
    for (;;) {
        int r = try_link(lock_path);
        if (r > 0) return MailDotLock(lock_path);
        if (r < 0) return MailDotLock(std::string());  // kernel locks only
        if (is_stale(lock_path, timeouts, ::time(nullptr))) {
            ::unlink(lock_path.c_str());  // left by a dead process
            continue;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another program; try again later");
        if (!queue) {
            // Busy: wait for our turn first (the queue's head polls alone).
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            queue.emplace(file, static_cast<long>(left.count()));
            continue;
        }
        nap_ms(wait_ms);
        // Short naps: IDLE waits here after a delivery. Not shorter for the
        // head of the queue: procmail, finding the lock taken, sleeps a
        // whole LOCKSLEEP (8 s), so a keen poller would starve it.
        if (wait_ms < 250) wait_ms *= 2;
    }
}

void MailDotLock::release() {
    if (lock_path_.empty()) return;
    ::unlink(lock_path_.c_str());
    lock_path_.clear();
}

}  // namespace mail
