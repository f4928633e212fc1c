#include "drivers/maildir/driver.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "drivers/maildir/files.hpp"
#include "drivers/maildir/lock.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

namespace {

bool is_dir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string parent_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

bool MaildirDriver::recognizes(const std::string& path) const {
    return is_dir(path + "/cur") && is_dir(path + "/new");
}

void MaildirDriver::create(const std::string& path, const UidBase& base) {
    if (recognizes(path)) throw MailError(ErrorKind::Exists, "mailbox already exists");
    if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("cannot create mailbox", errno);
    for (const char* sub : {"tmp", "new", "cur"}) {
        std::string p = path + "/" + sub;
        if (::mkdir(p.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("cannot create mailbox", errno);
    }
    // A Maildir++ subfolder (".name" inside a maildir) gets the empty
    // maildirfolder file, as Dovecot and Courier write it.
    std::string parent = parent_of(path);
    std::string leaf = path.substr(path.find_last_of('/') + 1);
    if (!leaf.empty() && leaf[0] == '.' && recognizes(parent)) {
        int fd = ::open((path + "/maildirfolder").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) ::close(fd);
    }
    // A copy that keeps its source's UIDs starts with their numbering.
    if (base.uidvalidity || base.uidnext > 1) {
        Uidlist list;
        list.uidvalidity = base.uidvalidity ? base.uidvalidity : next_uidvalidity(maildir_root(path));
        list.next_uid = std::max<Uid>(base.uidnext, 1);
        list.guid = random_guid();
        DotLock::acquire(path + "/dovecot-uidlist", LockTimeouts{10, 60}).replace(format_uidlist(list), true);
        fsync_dir(path);
    }
    fsync_dir(parent);
}

void MaildirDriver::remove(const std::string& path) {
    if (!recognizes(path)) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    // Rename first so that the folder disappears at once for everyone, then
    // remove the files (Dovecot does the same with its trash directory).
    std::string trash = parent_of(path) + "/..trash." + std::to_string(::getpid()) + "." +
                        std::to_string(::time(nullptr));
    if (::rename(path.c_str(), trash.c_str()) < 0) throw_errno("cannot delete mailbox", errno);
    std::error_code ec;
    std::filesystem::remove_all(trash, ec);
    if (ec) throw MailError(ErrorKind::Io, "the mailbox was deleted but some of its files remain: " + ec.message());
}

void MaildirDriver::rename(const std::string& from, const std::string& to) {
    if (!recognizes(from)) throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    if (::access(to.c_str(), F_OK) == 0) throw MailError(ErrorKind::Exists, "target mailbox already exists");
    if (::rename(from.c_str(), to.c_str()) < 0) throw_errno("cannot rename mailbox", errno);
}

std::unique_ptr<Mailbox> MaildirDriver::open(const std::string& path, OpenMode mode) {
    return std::make_unique<MaildirMailbox>(path, mode);
}

std::unique_ptr<Mailbox> MaildirDriver::open_with_index_dir(const std::string& path, OpenMode mode,
                                                            std::string_view index_dir) {
    return std::make_unique<MaildirMailbox>(path, mode, LockTimeouts{}, index_dir);
}

}  // namespace mail::maildir
