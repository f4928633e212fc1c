// The dovecot-uidlist.lock protocol (Dovecot's dotlock): the lock is the
// file "<target>.lock"; while it exists, only its holder writes the target,
// by renaming a new file over it. A lock whose mtime has not changed for
// stale_seconds is left by a dead process and is removed, as Dovecot does
// (MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT). Ours name their holder ("PID:HOST",
// under flock) from the moment they exist to the moment they go: the lock
// is a marked file link()ed to the lock name, and replace() writes the new
// content into "<target>.lock.new", not into the lock; so a holder killed
// at any moment leaves a lock that the next one breaks at once
// (lock/excl_lock_owner.hpp), instead of one waited for until it is stale.
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
    ~DotLock();  // releases the lock unless replace() did

    int fd() const { return fd_.get(); }
    // Writes data into <target>.lock.new, fsyncs it when asked, renames it
    // over the target and releases the lock.
    void replace(const std::string& data, bool fsync);
    // The same, keeping the lock.
    void write(const std::string& data, bool fsync);
    void release();

private:
    DotLock(std::string target, UniqueFd fd) : target_(std::move(target)), fd_(std::move(fd)) {}
    std::string lock_path() const { return target_ + ".lock"; }
    std::string target_;
    UniqueFd fd_;
};

}  // namespace mail::maildir
