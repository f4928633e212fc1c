// IDLE's wake-up for a Berkeley mbox: inotify on the file (deliveries
// append to it: IN_MODIFY) and on its directory for the mailbox's name
// (a rewrite renames a new file over it: IN_MOVED_TO). Only those events:
// the dot lock's hitch and .lock files come and go in the same directory at
// every sync, and waking on them would make IDLE sync in a loop.
#include <sys/inotify.h>
#include <sys/stat.h>

#include "drivers/unix/unix_mailbox.hpp"

namespace mail::unixmbox {

namespace {

std::string directory_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

int UnixMailbox::change_fd() {
    if (!inotify_) {
        UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
        if (!fd) return -1;
        if (::inotify_add_watch(fd.get(), directory_of(path_).c_str(), IN_MOVED_TO | IN_ONLYDIR) < 0) return -1;
        inotify_ = std::move(fd);
    }
    // After a rewrite the name holds a new inode: watch that one too (the
    // old watch goes away with the old file).
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0 && st.st_ino != watched_ino_ &&
        ::inotify_add_watch(inotify_.get(), path_.c_str(), IN_MODIFY) >= 0)
        watched_ino_ = st.st_ino;
    return inotify_.get();
}

}  // namespace mail::unixmbox
