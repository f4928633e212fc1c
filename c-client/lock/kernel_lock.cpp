#include "lock/kernel_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "lock/lock_wait.hpp"
#include "lock/uw_lock.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

bool fcntl_try(int fd, short type) {
    struct flock fl {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;  // the whole file, however long it grows
    for (;;) {
        if (::fcntl(fd, F_SETLK, &fl) == 0) return true;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EACCES) return false;
        if (errno == ENOLCK || errno == EINVAL) return true;  // no record locks here: go on
        throw MailError(ErrorKind::Io, std::string("cannot lock the mailbox: ") + std::strerror(errno));
    }
}

}  // namespace

KernelLock KernelLock::acquire(int fd, bool exclusive, int timeout_seconds) {
    time_t deadline = ::time(nullptr) + timeout_seconds;
    const short type = exclusive ? F_WRLCK : F_RDLCK;
    if (!fcntl_try(fd, type)) {
        // Queue for the record lock in the kernel (lock/lock_wait.hpp).
        struct flock fl {};
        fl.l_type = type;
        fl.l_whence = SEEK_SET;
        LockWait r = blocking_lock_wait([&] { return ::fcntl(fd, F_SETLKW, &fl); }, timeout_seconds * 1000L);
        if (r == LockWait::TimedOut)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another program; try again later");
        if (r != LockWait::Locked) {
            // No timer, or EDEADLK (two processes each waiting for the
            // other's record lock): poll for the rest of the time.
            long wait_ms = 5;
            while (!fcntl_try(fd, type)) {
                if (::time(nullptr) >= deadline)
                    throw MailError(ErrorKind::Busy, "the mailbox is locked by another program; try again later");
                struct timespec ts{0, wait_ms * 1000000L};
                ::nanosleep(&ts, nullptr);
                if (wait_ms < 200) wait_ms *= 2;
            }
        }
    }
    try {
        flock_wait(fd, exclusive ? LOCK_EX : LOCK_SH, static_cast<int>(deadline - ::time(nullptr)) + 1);
    } catch (...) {
        fcntl_try(fd, F_UNLCK);
        throw;
    }
    return KernelLock(fd);
}

void KernelLock::release() {
    if (fd_ < 0) return;
    flock_retry(fd_, LOCK_UN);
    struct flock fl {};
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    ::fcntl(fd_, F_SETLK, &fl);
    fd_ = -1;
}

}  // namespace mail
