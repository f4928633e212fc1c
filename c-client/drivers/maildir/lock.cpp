#include "drivers/maildir/lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include "drivers/maildir/files.hpp"
#include "lock/excl_lock_owner.hpp"
#include "util/error.hpp"

namespace mail::maildir {

namespace {

std::atomic<unsigned> g_lock_counter{0};

std::string dir_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// A file that is already the lock: owner mark written and flock() held
// (mark_excl_lock_owner), but not yet under the lock's name. Unnamed
// (O_TMPFILE) where the file system allows it, so that a holder killed
// before link() leaves nothing behind; otherwise a temporary name that
// *named_tmp gets, to be unlinked once linked.
UniqueFd marked_file(const std::string& lock_path, std::string& named_tmp) {
    named_tmp.clear();
    UniqueFd fd(::open(dir_of(lock_path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (!fd) {
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
            throw_errno("cannot create lock " + lock_path, errno);
        named_tmp = lock_path + "." + std::to_string(::getpid()) + "." + std::to_string(g_lock_counter++) + ".tmp";
        ::unlink(named_tmp.c_str());  // left by a dead process of the same PID
        fd.reset(::open(named_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) throw_errno("cannot create lock " + lock_path, errno);
    }
    mark_excl_lock_owner(fd.get());  // "PID:HOST" and flock: a SIGKILLed holder's lock goes at once
    return fd;
}

// link() of the marked file to the lock name: fails with EEXIST while
// another process holds the lock.
bool link_lock(int fd, const std::string& named_tmp, const std::string& lock_path) {
    if (named_tmp.empty()) {
        const std::string proc = "/proc/self/fd/" + std::to_string(fd);
        return ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, lock_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
    }
    return ::link(named_tmp.c_str(), lock_path.c_str()) == 0;
}

}  // namespace

DotLock DotLock::acquire(const std::string& target, LockTimeouts timeouts) {
    const std::string path = target + ".lock";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeouts.timeout_seconds);
    auto pause = std::chrono::milliseconds(5);
    // The lock is created with its mark in place (a marked file linked to
    // the lock name), so that it never exists without naming its holder:
    // a holder killed at any moment leaves a lock that the next one breaks
    // at once, not one that is waited for until it is stale.
    std::string named_tmp;
    UniqueFd fd = marked_file(path, named_tmp);
    struct Cleanup {
        const std::string& name;
        ~Cleanup() {
            if (!name.empty()) ::unlink(name.c_str());
        }
    } cleanup{named_tmp};
    bool use_link = true;
    for (;;) {
        if (use_link) {
            if (link_lock(fd.get(), named_tmp, path)) return DotLock(target, std::move(fd));
            if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP ||
                (named_tmp.empty() && (errno == ENOENT || errno == EACCES))) {
                // No hard links here (or no /proc): O_EXCL, with the mark
                // written just after, as before.
                use_link = false;
                fd.reset();
                continue;
            }
        } else {
            int excl = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (excl >= 0) {
                mark_excl_lock_owner(excl);
                return DotLock(target, UniqueFd(excl));
            }
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
        ::unlink(lock_path().c_str());  // while we still hold its flock
        fd_.reset();
    }
}

void DotLock::replace(const std::string& data, bool fsync) {
    write(data, fsync);
    release();
}

void DotLock::write(const std::string& data, bool fsync) {
    // The content goes into a file of its own, renamed over the target; the
    // lock keeps its mark until then, so that a holder killed while writing
    // leaves a lock that is broken at once. Only the holder writes this name.
    const std::string tmp = lock_path() + ".new";
    {
        ::unlink(tmp.c_str());  // a dead holder's
        UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) throw_errno("cannot create " + tmp, errno);
        try {
            write_all(out.get(), data, tmp);
            if (fsync && ::fsync(out.get()) < 0) throw_errno("cannot fsync " + tmp, errno);
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    if (::rename(tmp.c_str(), target_.c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw_errno("cannot replace " + target_, err);
    }
}

}  // namespace mail::maildir
