// The dot lock "<file>.lock" that procmail, Postfix (mailbox_delivery_lock =
// fcntl, dotlock on Debian) and UW c-client (env_unix.c dotlock_lock) take
// around every change to a Berkeley mbox.
//
// Made NFS-safe as procmail and UW make it: a uniquely named "hitch" file is
// created in the same directory and link()ed to the lock name; success is
// the link() returning 0 or the hitch's link count becoming 2.
//
// Stale locks: a lock whose mtime is older than stale_seconds (UW's
// LOCKTIMEOUT, 5 minutes; procmail's locktimeout is 17) was left by a dead
// process and is removed, as both do. A lock that names its owner (our
// locks and dotlockfile -p hold "PID\n") on a local file system is removed
// sooner, once it is a few seconds old, when that process no longer exists
// (a SIGKILLed imapd or dmail); on NFS the PID may be another host's, so
// only the age counts there. A live holder is waited for up to
// timeout_seconds (the lock_timeout key), then acquire() says Busy. Our
// waiters queue (flock on DIR/.imapd/NAME.dotlock-queue) so that only the
// head polls and they are served in turn.
//
// When the directory is not writable (a /var/mail without group mail) no
// dot lock can be made; like UW we go on with the kernel locks only:
// acquire() then returns a lock whose held() is false.
#pragma once

#include <ctime>
#include <string>

#include "lock/lock_timeout.hpp"

namespace mail {

struct DotLockTimeouts {
    int timeout_seconds = lock_timeout_seconds();  // how long to wait for another holder
    int stale_seconds = 5 * 60;                    // UW LOCKTIMEOUT: 5 minutes
    int dead_owner_seconds = 2;                    // grace before a dead owner's lock goes
};

class MailDotLock {
public:
    // Waits for the lock; throws MailError(Busy) after timeout_seconds.
    static MailDotLock acquire(const std::string& file, DotLockTimeouts timeouts = {});

    MailDotLock(MailDotLock&& other) noexcept;
    MailDotLock& operator=(MailDotLock&&) = delete;
    MailDotLock(const MailDotLock&) = delete;
    ~MailDotLock() { release(); }

    bool held() const { return !lock_path_.empty(); }
    const std::string& path() const { return lock_path_; }
    void release();

    static std::string lock_path_for(const std::string& file) { return file + ".lock"; }

    // True when the lock file at lock_path may be removed: older than
    // stale_seconds, or (local file system) older than dead_owner_seconds
    // and naming a process that does not exist. `now` is time(nullptr).
    static bool is_stale(const std::string& lock_path, const DotLockTimeouts& timeouts, time_t now);

private:
    explicit MailDotLock(std::string lock_path) : lock_path_(std::move(lock_path)) {}
    std::string lock_path_;  // empty when not held
};

}  // namespace mail
