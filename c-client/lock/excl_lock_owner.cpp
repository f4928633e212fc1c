#include "lock/excl_lock_owner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/fd.hpp"

namespace mail {

namespace {

std::string host_name() {
    char host[256] = "";
    if (::gethostname(host, sizeof host - 1) < 0) return {};
    host[sizeof host - 1] = '\0';
    return host;
}

bool flock_nb(int fd, int op) {
    for (;;) {
        if (::flock(fd, op | LOCK_NB) == 0) return true;
        if (errno != EINTR) return false;
    }
}

}  // namespace

std::string excl_lock_owner_mark() { return std::to_string(::getpid()) + ":" + host_name(); }

void mark_excl_lock_owner(int lock_fd) {
    // flock first: a waiter that sees the mark then also sees the flock.
    // A waiter probing the fresh empty file holds its flock for a moment.
    while (::flock(lock_fd, LOCK_EX) < 0 && errno == EINTR) {
    }
    std::string mark = excl_lock_owner_mark();
    (void)!::pwrite(lock_fd, mark.data(), mark.size(), 0);
}

void clear_excl_lock_owner(int lock_fd) {
    (void)!::ftruncate(lock_fd, 0);
    ::lseek(lock_fd, 0, SEEK_SET);
}

std::optional<pid_t> parse_excl_lock_owner(std::string_view content, std::string_view host) {
    if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
    size_t colon = content.find(':');
    if (colon == 0 || colon == std::string_view::npos || content.substr(colon + 1) != host) return std::nullopt;
    long pid = 0;
    for (char c : content.substr(0, colon)) {
        if (c < '0' || c > '9' || pid > (1L << 30)) return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    if (pid <= 0) return std::nullopt;
    return static_cast<pid_t>(pid);
}

bool remove_excl_lock_of_dead_owner(const std::string& lock_path) {
    UniqueFd fd(::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return false;
    // Holding its flock while we look keeps the holder (alive) and any other
    // waiter (breaking it at the same moment) out.
    if (!flock_nb(fd.get(), LOCK_EX)) return false;
    char buf[300];
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
    if (n <= 0 || static_cast<size_t>(n) == sizeof buf) return false;
    auto pid = parse_excl_lock_owner(std::string_view(buf, static_cast<size_t>(n)), host_name());
    if (!pid || !(::kill(*pid, 0) < 0 && errno == ESRCH)) return false;
    // Still the file we read (not one a new holder made after a break)?
    struct stat fst, lst;
    if (::fstat(fd.get(), &fst) < 0 || ::lstat(lock_path.c_str(), &lst) < 0 || fst.st_ino != lst.st_ino ||
        fst.st_dev != lst.st_dev)
        return false;
    return ::unlink(lock_path.c_str()) == 0;
}

}  // namespace mail
