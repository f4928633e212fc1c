// Every lock a Berkeley mbox writer takes, in the order procmail, Postfix
// and UW take them: the dot lock "<mbox>.lock", then on the open file an
// fcntl() lock and flock(). Held by a reader while it parses (so that it
// never sees half a delivery) and by a writer around every change.
#pragma once

#include <string>

#include "lock/dot_lock.hpp"
#include "lock/kernel_lock.hpp"
#include "util/fd.hpp"

namespace mail::unixmbox {

class MboxLock {
public:
    // Locks path and opens it (O_RDWR when exclusive or write, else O_RDONLY).
    // The descriptor is reopened until it names the file now at path (a
    // rewrite may have renamed a new file over it while we waited).
    // Waits up to timeout_seconds for all the locks together, then throws
    // MailError(Busy).
    static MboxLock acquire(const std::string& path, bool exclusive, bool write,
                            int timeout_seconds = lock_timeout_seconds());

    MboxLock(MboxLock&&) noexcept = default;
    MboxLock& operator=(MboxLock&&) = delete;
    ~MboxLock();

    int fd() const { return fd_.get(); }
    UniqueFd take_fd();  // keeps the locks but hands over the descriptor (after release())
    void release();

private:
    MboxLock(MailDotLock dot, UniqueFd fd, KernelLock kernel)
        : dot_(std::move(dot)), fd_(std::move(fd)), kernel_(std::move(kernel)) {}
    MailDotLock dot_;
    UniqueFd fd_;
    KernelLock kernel_;
};

// True when a UW c-client process has the mailbox open read-write (it holds
// flock(LOCK_EX) on /tmp/.<dev>.<ino> for the whole session, and would be
// confused by our rewriting the file under it).
bool uw_session_active(int mailbox_fd);

}  // namespace mail::unixmbox
