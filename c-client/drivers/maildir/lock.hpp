// The dovecot-uidlist.lock protocol (Dovecot's dotlock with O_EXCL): the lock
// is the file "<target>.lock" created with O_EXCL; the holder writes the new
// content into it and renames it over the target, which releases the lock.
// A lock whose mtime has not changed for stale_timeout seconds is left by a
// dead process and is removed, as Dovecot does (MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT).
// Ours also name their holder ("PID:HOST", under flock) until replace() writes
// the content, so that a SIGKILLed holder's lock goes at once (lock/excl_lock_owner.hpp).
#pragma once

#include <string>

#include "util/fd.hpp"

namespace mail::maildir {

struct LockTimeouts {
    int timeout_seconds = 2 * 60 + 2;  // Dovecot: stale timeout + 2
    int stale_seconds = 2 * 60;        // Dovecot: 60*2
};

class DotLock {
public:
    // Waits for the lock; throws MailError(Busy) after timeout_seconds.
    static DotLock acquire(const std::string& target, LockTimeouts timeouts = {});

    DotLock(DotLock&& other) noexcept;
    DotLock& operator=(DotLock&&) = delete;
    DotLock(const DotLock&) = delete;
    ~DotLock();  // unlinks the lock file if it was not used by replace()

    int fd() const { return fd_.get(); }
    // Writes data into the lock file, fsyncs it and renames it over the target.
    void replace(const std::string& data, bool fsync);
    void release();

private:
    DotLock(std::string target, UniqueFd fd) : target_(std::move(target)), fd_(std::move(fd)) {}
    std::string lock_path() const { return target_ + ".lock"; }
    std::string target_;
    UniqueFd fd_;
};

}  // namespace mail::maildir
