#include "lock/dot_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "util/error.hpp"

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

}  // namespace

MailDotLock::MailDotLock(MailDotLock&& other) noexcept : lock_path_(std::move(other.lock_path_)) {
    other.lock_path_.clear();
}

MailDotLock MailDotLock::acquire(const std::string& file, DotLockTimeouts timeouts) {
    std::string lock_path = lock_path_for(file);
    time_t deadline = ::time(nullptr) + timeouts.timeout_seconds;
    long wait_ms = 20;
    for (;;) {
        int r = try_link(lock_path);
        if (r > 0) return MailDotLock(lock_path);
        if (r < 0) return MailDotLock(std::string());  // kernel locks only
        struct stat st;
        if (::stat(lock_path.c_str(), &st) == 0 && ::time(nullptr) - st.st_mtime > timeouts.stale_seconds) {
            ::unlink(lock_path.c_str());  // left by a dead process
            continue;
        }
        if (::time(nullptr) >= deadline)
            throw MailError(ErrorKind::Busy, "the mailbox is locked by another program; try again later");
        nap_ms(wait_ms);
        if (wait_ms < 500) wait_ms *= 2;
    }
}

void MailDotLock::release() {
    if (lock_path_.empty()) return;
    ::unlink(lock_path_.c_str());
    lock_path_.clear();
}

}  // namespace mail
