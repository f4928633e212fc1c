#include "drivers/maildir/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail::maildir {

[[noreturn]] void throw_errno(const std::string& what, int err) {
    ErrorKind kind = ErrorKind::Io;
    if (err == ENOENT || err == ENOTDIR) kind = ErrorKind::NotFound;
    else if (err == EEXIST || err == ENOTEMPTY) kind = ErrorKind::Exists;
    else if (err == EACCES || err == EPERM || err == EROFS) kind = ErrorKind::Permission;
    else if (err == ENOSPC || err == EDQUOT) kind = ErrorKind::NoSpace;
    throw MailError(kind, what + ": " + std::strerror(err));
}

std::optional<std::string> read_whole_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw_errno("cannot open " + path, errno);
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read " + path, errno);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

void write_all(int fd, std::string_view data, const std::string& what) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot write " + what, errno);
        }
        done += static_cast<size_t>(n);
    }
}

void fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_errno("cannot open directory " + dir, errno);
    if (::fsync(fd.get()) < 0 && errno != EINVAL) throw_errno("cannot fsync " + dir, errno);
}

std::optional<struct stat> stat_path(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw_errno("cannot stat " + path, errno);
    }
    return st;
}

FileStamp stamp_of(const std::string& path) {
    auto st = stat_path(path);
    if (!st) return {};
    return FileStamp{st->st_dev, st->st_ino, st->st_size,
                     static_cast<int64_t>(st->st_mtim.tv_sec) * 1000000000 + st->st_mtim.tv_nsec};
}

}  // namespace mail::maildir
