// The dot lock "<file>.lock" that procmail, Postfix (mailbox_delivery_lock =
// fcntl, dotlock on Debian) and UW c-client (env_unix.c dotlock_lock) take
// around every change to a Berkeley mbox.
//
// Made NFS-safe as procmail and UW make it: a uniquely named "hitch" file is
// created in the same directory and link()ed to the lock name; success is
// the link() returning 0 or the hitch's link count becoming 2. A lock older
// than stale_seconds (UW's LOCKTIMEOUT and procmail's default are minutes)
// was left by a dead process and is removed.
//
// When the directory is not writable (a /var/mail without group mail) no
// dot lock can be made; like UW we go on with the kernel locks only:
// acquire() then returns a lock whose held() is false.
#pragma once

#include <string>

namespace mail {

struct DotLockTimeouts {
    int timeout_seconds = 5 * 60 + 10;  // how long to wait for another holder
    int stale_seconds = 5 * 60;         // UW LOCKTIMEOUT: 5 minutes
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

private:
    explicit MailDotLock(std::string lock_path) : lock_path_(std::move(lock_path)) {}
    std::string lock_path_;  // empty when not held
};

}  // namespace mail
