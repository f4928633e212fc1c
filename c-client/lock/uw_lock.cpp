#include "lock/uw_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lock/lock_wait.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

constexpr mode_t kLockMode = 0666;  // UW's MANDATORYLOCKPROT: others must be able to lock too

void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&ts, nullptr);
}

[[noreturn]] void lock_error(const char* what) {
    throw MailError(ErrorKind::Io, std::string(what) + ": " + std::strerror(errno));
}

// Opens (or creates) the lock file as lock_work() does; -1 with errno set.
// Unlike lock_work(), a name whose file another process is unlinking at
// this moment (lstat sees st_nlink 0) is tried again rather than taken for
// a hard link, and a file that another user left without write permission
// for us is opened read-only (flock() needs no more).
int open_lock_file(const std::string& path) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        struct stat lst;
        if (::lstat(path.c_str(), &lst) == 0) {
            if (lst.st_nlink == 0 && !S_ISLNK(lst.st_mode)) continue;  // being removed by its last holder
            if (S_ISLNK(lst.st_mode) || lst.st_nlink != 1) {
                errno = EPERM;  // UW: "SECURITY PROBLEM" symlink or hard link on lock name
                return -1;
            }
            int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
            if (fd < 0 && errno == EACCES) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
            if (fd >= 0 || errno != ENOENT) return fd;
            continue;  // unlinked between lstat and open: try again
        }
        mode_t old = ::umask(0);
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kLockMode);
        ::umask(old);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EAGAIN;
    return -1;
}

// Why the lock file could not be opened, as the error a client sees: a
// refusal for a planted link or a foreign unreadable file, Busy when the
// name kept changing under us, Io for the rest.
[[noreturn]] void open_error(const std::string& path) {
    const int err = errno;
    if (err == EPERM)
        throw MailError(ErrorKind::Permission, "refusing the mailbox lock file " + path +
                                                   ": it is a symbolic link or has another hard link");
    if (err == EACCES)
        throw MailError(ErrorKind::Permission, "cannot open the mailbox lock file " + path +
                                                   ", left by another user: " + std::strerror(err));
    if (err == EAGAIN) throw MailError(ErrorKind::Busy, "the mailbox lock file keeps changing; try again later");
    lock_error("cannot create the mailbox lock file");
}

}  // namespace

// A waiter's mark on the lock file while it waits in flock(): a shared
// fcntl() record lock on its first byte (independent of flock() on Linux;
// UW's lock_work takes only flock()). The holder tests for one at release,
// which /proc/locks would tell too, but at 50 ms a read with 200 waiters.
class WaitMark {
public:
    explicit WaitMark(int fd) : fd_(fd) { set(F_RDLCK); }
    ~WaitMark() { set(F_UNLCK); }
    WaitMark(const WaitMark&) = delete;
    WaitMark& operator=(const WaitMark&) = delete;

private:
    void set(short type) {
        struct flock fl {};
        fl.l_type = type;
        fl.l_whence = SEEK_SET;
        fl.l_start = 0;
        fl.l_len = 1;
        while (::fcntl(fd_, F_SETLK, &fl) < 0 && errno == EINTR) {
        }
    }
    int fd_;
};

bool flock_retry(int fd, int op) {
    for (;;) {
        if (::flock(fd, op) == 0) return true;
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK && (op & LOCK_NB)) return false;
        lock_error("cannot lock the mailbox");
    }
}

void flock_wait(int fd, int op, int timeout_seconds) {
    if (flock_retry(fd, op | LOCK_NB)) return;
    // Queue in the kernel (lock/lock_wait.hpp) rather than poll: a poller
    // can lose every race to newcomers.
    switch (blocking_lock_wait([&] { return ::flock(fd, op); }, timeout_seconds * 1000L)) {
    case LockWait::Locked: return;
    case LockWait::TimedOut: throw MailError(ErrorKind::Busy, "the mailbox is locked by another process");
    case LockWait::Failed: lock_error("cannot lock the mailbox");
    case LockWait::NoTimer: break;
    }
    struct timespec start;
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    long delay = 1;
    while (!flock_retry(fd, op | LOCK_NB)) {
        struct timespec now;
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        long waited_ms = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
        if (waited_ms >= timeout_seconds * 1000L)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another process");
        sleep_ms(delay);
        delay = delay < 100 ? delay * 2 : 100;
    }
}

std::string UwParseLock::path_for(int mailbox_fd) {
    struct stat st;
    if (::fstat(mailbox_fd, &st) < 0) lock_error("cannot stat the mailbox");
    char buf[64];
    std::snprintf(buf, sizeof buf, "/tmp/.%lx.%lx", static_cast<unsigned long>(st.st_dev),
                  static_cast<unsigned long>(st.st_ino));
    return buf;
}

UwParseLock UwParseLock::acquire(int mailbox_fd, int op, int timeout_seconds) {
    const std::string path = path_for(mailbox_fd);
    for (;;) {
        UniqueFd fd(open_lock_file(path));
        if (!fd) open_error(path);
        if (!flock_retry(fd.get(), op | LOCK_NB)) {
            WaitMark mark(fd.get());  // keeps the holder from unlinking the file under us
            flock_wait(fd.get(), op, timeout_seconds);
        }
        // The holder before us may have unlinked the file at its release:
        // the lock is good only if the name still leads to our file.
        struct stat lst, fst;
        if (::lstat(path.c_str(), &lst) == 0 && !S_ISLNK(lst.st_mode) && ::fstat(fd.get(), &fst) == 0 &&
            lst.st_dev == fst.st_dev && lst.st_ino == fst.st_ino && fst.st_nlink == 1) {
            ::chmod(path.c_str(), kLockMode);  // as UW: make sure others can open it
            return UwParseLock(path, std::move(fd));
        }
    }
}

bool UwParseLock::has_waiters() const {
    struct flock fl {};
    fl.l_type = F_WRLCK;  // would a write lock on the first byte meet another process's mark?
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 1;
    return ::fcntl(fd_.get(), F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

void UwParseLock::release() {
    if (!fd_) return;
    // unlockfd(): delete the file if no one else shares it, nor waits for
    // it: waiters queued on this file would otherwise wake to a name that
    // leads elsewhere and race anew for a fresh file, losing their turn.
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0 && !has_waiters()) ::unlink(path_.c_str());
    ::flock(fd_.get(), LOCK_UN);
    fd_.reset();
}

}  // namespace mail
