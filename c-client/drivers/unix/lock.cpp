#include "drivers/unix/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lock/uw_lock.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

MboxLock MboxLock::acquire(const std::string& path, bool exclusive, bool write, int timeout_seconds) {
    // One deadline for all the locks: the kernel locks get what the dot lock
    // left of it (at least one try), not a second timeout_seconds.
    const time_t deadline = ::time(nullptr) + timeout_seconds;
    DotLockTimeouts timeouts;
    timeouts.timeout_seconds = timeout_seconds;
    MailDotLock dot = MailDotLock::acquire(path, timeouts);
    for (int attempt = 0;; ++attempt) {
        UniqueFd fd(::open(path.c_str(), ((exclusive || write) ? O_RDWR : O_RDONLY) | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
            throw MailError(ErrorKind::Io, std::string("cannot open the mailbox: ") + std::strerror(errno));
        }
        int left = static_cast<int>(std::max<time_t>(0, deadline - ::time(nullptr)));
        KernelLock kernel = KernelLock::acquire(fd.get(), exclusive, left);
        struct stat a, b;
        if (::fstat(fd.get(), &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            return MboxLock(std::move(dot), std::move(fd), std::move(kernel));
        if (attempt > 50) throw MailError(ErrorKind::Busy, "the mailbox keeps changing; try again later");
    }
}

MboxLock::~MboxLock() { release(); }

void MboxLock::release() {
    kernel_.release();
    dot_.release();
}

UniqueFd MboxLock::take_fd() {
    release();
    return std::move(fd_);
}

bool uw_session_active(int mailbox_fd) {
    std::string path = UwParseLock::path_for(mailbox_fd);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return false;
    if (!flock_retry(fd.get(), LOCK_SH | LOCK_NB)) return true;
    flock_retry(fd.get(), LOCK_UN);
    return false;
}

}  // namespace mail::unixmbox
