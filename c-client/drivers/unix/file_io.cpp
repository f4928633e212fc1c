#include "drivers/unix/file_io.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "util/error.hpp"

namespace mail::unixmbox {

namespace {
[[noreturn]] void fail(const char* what, int err) {
    throw MailError(err == ENOSPC || err == EDQUOT ? ErrorKind::NoSpace : ErrorKind::Io,
                    std::string(what) + ": " + std::strerror(err));
}
}  // namespace

void write_at(int fd, uint64_t offset, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot write the mailbox", errno);
        }
        bytes.remove_prefix(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
}

void copy_range(int in, uint64_t from, uint64_t length, int out, uint64_t to) {
    std::vector<char> buf(std::min<uint64_t>(length, 1 << 20));
    while (length > 0) {
        ssize_t n = ::pread(in, buf.data(), std::min<uint64_t>(buf.size(), length), static_cast<off_t>(from));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot read the mailbox", errno);
        if (n == 0) throw MailError(ErrorKind::Corrupt, "the mailbox is shorter than expected");
        write_at(out, to, std::string_view(buf.data(), static_cast<size_t>(n)));
        from += static_cast<uint64_t>(n);
        to += static_cast<uint64_t>(n);
        length -= static_cast<uint64_t>(n);
    }
}

void sync_fd(int fd) {
    if (::fsync(fd) < 0) fail("cannot write the mailbox to disk", errno);
}

UniqueFd anonymous_file(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return UniqueFd(fd);
    const char* tmpdir = std::getenv("TMPDIR");
    std::string name = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/mbox-append-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) fail("cannot create a temporary file", errno);
    ::unlink(name.c_str());
    return UniqueFd(fd);
}

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string local_sender() {
    std::string user = "MAILER-DAEMON";
    if (struct passwd* pw = ::getpwuid(::geteuid())) user = pw->pw_name;
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    return user + "@" + host;
}

}  // namespace mail::unixmbox
