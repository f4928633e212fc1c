#include "drivers/maildir/lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "drivers/maildir/files.hpp"
#include "lock/excl_lock_owner.hpp"
#include "util/error.hpp"

namespace mail::maildir {

DotLock DotLock::acquire(const std::string& target, LockTimeouts timeouts) {
    const std::string path = target + ".lock";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeouts.timeout_seconds);
    auto pause = std::chrono::milliseconds(5);
    for (;;) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            mark_excl_lock_owner(fd);  // "PID:HOST" and flock: a SIGKILLed holder's lock goes at once
            return DotLock(target, UniqueFd(fd));
        }
        if (errno != EEXIST) throw_errno("cannot create lock " + path, errno);
        if (remove_excl_lock_of_dead_owner(path)) continue;
        // Someone holds it. Stale when untouched for stale_seconds.
        struct stat st;
        if (::stat(path.c_str(), &st) == 0 && ::time(nullptr) - st.st_mtime >= timeouts.stale_seconds) {
            ::unlink(path.c_str());
            continue;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another process; try again later");
        std::this_thread::sleep_for(pause);
        if (pause < std::chrono::milliseconds(100)) pause *= 2;
    }
}

DotLock::DotLock(DotLock&& other) noexcept : target_(std::move(other.target_)), fd_(std::move(other.fd_)) {}

DotLock::~DotLock() { release(); }

void DotLock::release() {
    if (fd_) {
        fd_.reset();
        ::unlink(lock_path().c_str());
    }
}

void DotLock::replace(const std::string& data, bool fsync) {
    clear_excl_lock_owner(fd_.get());  // the owner mark goes before the content
    write_all(fd_.get(), data, lock_path());
    if (fsync && ::fsync(fd_.get()) < 0) throw_errno("cannot fsync " + lock_path(), errno);
    if (::rename(lock_path().c_str(), target_.c_str()) < 0) throw_errno("cannot replace " + target_, errno);
    fd_.reset();
}

}  // namespace mail::maildir
