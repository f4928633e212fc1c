#include "drivers/mbx/driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

namespace {

void make_parents(const std::string& path) {
    for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("cannot create the folder", errno);
    }
}

// Runs fn with the mailbox open, parse-locked and exclusively flocked
// (mbx_rename): nobody else may have it open.
template <typename Fn>
void with_exclusive(const std::string& path, Fn fn) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) throw_errno("cannot open the mailbox", errno);
    UwParseLock lock = UwParseLock::acquire(fd.get(), LOCK_EX, 60);
    if (!flock_retry(fd.get(), LOCK_EX | LOCK_NB))
        throw MailError(ErrorKind::Busy, "the mailbox is in use by another process");
    fn();
    ::flock(fd.get(), LOCK_UN);
}

}  // namespace

bool MbxDriver::recognizes(const std::string& path) const {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) return false;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    char buf[kHeaderSize];
    size_t got = pread_some(fd.get(), buf, sizeof buf, 0);
    return got == kHeaderSize && looks_like_mbx(std::string_view(buf, got));
}

void MbxDriver::create(const std::string& path, const UidBase& base) {
    make_parents(path);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) throw_errno("cannot create the mailbox", errno);
    try {
        const Uid validity = base.uidvalidity ? base.uidvalidity : static_cast<Uid>(::time(nullptr));
        std::string header = format_new_header(validity);
        if (base.uidnext > 1) {  // UIDLAST: the UIDs below UIDNEXT are taken
            char hex[16];
            std::snprintf(hex, sizeof hex, "%08x", base.uidnext - 1);
            header.replace(kUidLastOffset, 8, hex);
        }
        pwrite_all(fd.get(), header, 0);
        if (::fsync(fd.get()) < 0) throw_errno("cannot create the mailbox", errno);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
}

void MbxDriver::remove(const std::string& path) {
    with_exclusive(path, [&] {
        if (::unlink(path.c_str()) < 0) throw_errno("cannot delete the mailbox", errno);
    });
}

void MbxDriver::rename(const std::string& from, const std::string& to) {
    struct stat st;
    if (::lstat(to.c_str(), &st) == 0) throw MailError(ErrorKind::Exists, "the new name is already in use");
    with_exclusive(from, [&] {
        make_parents(to);
        if (::rename(from.c_str(), to.c_str()) < 0) throw_errno("cannot rename the mailbox", errno);
    });
}

std::unique_ptr<Mailbox> MbxDriver::open(const std::string& path, OpenMode mode) {
    return std::make_unique<MbxMailbox>(path, mode);
}

std::unique_ptr<Mailbox> MbxDriver::open_with_index_dir(const std::string& path, OpenMode mode,
                                                        std::string_view index_dir) {
    MbxOptions options;
    options.index_dir = std::string(index_dir);
    return std::make_unique<MbxMailbox>(path, mode, options);
}

}  // namespace mail::mbx
