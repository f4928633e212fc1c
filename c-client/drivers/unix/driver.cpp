#include "drivers/unix/driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/unix/file_io.hpp"
#include "drivers/unix/from_line.hpp"
#include "drivers/unix/status_headers.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

bool UnixDriver::recognizes(const std::string& path) const {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) return false;
    if (st.st_size == 0) return true;  // UW: an empty file is a unix mailbox
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    char buf[4096];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) return false;
    std::string_view data(buf, static_cast<size_t>(n));
    size_t i = data.find_first_not_of(" \t\r\n");
    if (i == std::string_view::npos) return true;
    // the first line after leading white space, with its line end
    size_t nl = data.find('\n', i);
    if (nl == std::string_view::npos) return false;
    while (i > 0 && data[i - 1] != '\n') --i;
    std::string_view line = data.substr(i, nl - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return is_from_line(line);
}

void UnixDriver::create(const std::string& path, const UidBase& base) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        if (errno == EEXIST) throw MailError(ErrorKind::Exists, "mailbox already exists");
        throw MailError(ErrorKind::Io, std::string("cannot create mailbox: ") + std::strerror(errno));
    }
    // As unix_create: the pseudo-message holds UIDVALIDITY from the start.
    const uint32_t validity = base.uidvalidity ? base.uidvalidity : static_cast<uint32_t>(::time(nullptr));
    MailboxBase pseudo{validity, base.uidnext > 1 ? base.uidnext - 1 : 0, {}};
    write_at(fd.get(), 0, format_pseudo(pseudo, ::time(nullptr)));
    sync_fd(fd.get());
}

void UnixDriver::remove(const std::string& path) {
    if (!recognizes(path)) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    if (::unlink(path.c_str()) < 0)
        throw MailError(ErrorKind::Io, std::string("cannot delete mailbox: ") + std::strerror(errno));
}

void UnixDriver::rename(const std::string& from, const std::string& to) {
    struct stat st;
    if (::stat(to.c_str(), &st) == 0) throw MailError(ErrorKind::Exists, "mailbox already exists");
    if (::rename(from.c_str(), to.c_str()) < 0) {
        if (errno == ENOENT) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
        throw MailError(ErrorKind::Io, std::string("cannot rename mailbox: ") + std::strerror(errno));
    }
}

std::unique_ptr<Mailbox> UnixDriver::open(const std::string& path, OpenMode mode) {
    return std::make_unique<UnixMailbox>(path, mode);
}

std::unique_ptr<Mailbox> UnixDriver::open_with_index_dir(const std::string& path, OpenMode mode,
                                                         std::string_view index_dir) {
    return std::make_unique<UnixMailbox>(path, mode, index_dir);
}

}  // namespace mail::unixmbox
