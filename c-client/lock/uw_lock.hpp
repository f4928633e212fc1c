// The locks UW imap-2007f's c-client takes on mailbox files, so that a UW
// process (imapd, mailutil, tmail) and ours exclude each other correctly.
//
// - flock() on the mailbox file itself (flock_retry): mbx holds LOCK_SH for
//   as long as a session has the file open and LOCK_EX to compact it.
// - The parse/append lock (env_unix.c lockfd/lock_work/unlockfd): flock() on
//   the file "/tmp/.<st_dev hex>.<st_ino hex>" of the mailbox, created mode
//   0666 with O_EXCL, refused when it is a symbolic link or has another hard
//   link, re-checked after locking (another process may have unlinked it),
//   and unlinked at release when no one else holds it or waits for it. A name that its last
//   holder is unlinking at that moment (st_nlink 0) is tried again, never
//   refused (UW's lock_work takes it for a hard link); a file left by
//   another user without write permission for us is locked read-only.
#pragma once

#include <sys/file.h>

#include <string>

#include "lock/lock_timeout.hpp"
#include "util/fd.hpp"

namespace mail {

// flock() that retries on EINTR; false when a LOCK_NB request would block.
// Throws MailError(Io) on other errors.
bool flock_retry(int fd, int op);

// Waits up to timeout_seconds for flock(fd, op) (op LOCK_SH or LOCK_EX) in
// the kernel's queue (lock/lock_wait.hpp); throws MailError(Busy) when the
// time runs out.
void flock_wait(int fd, int op, int timeout_seconds);

class UwParseLock {
public:
    // Takes the lock for the open mailbox file fd (op LOCK_EX or LOCK_SH),
    // waiting up to timeout_seconds; throws MailError(Busy) after that.
    static UwParseLock acquire(int mailbox_fd, int op = LOCK_EX,
                               int timeout_seconds = lock_timeout_seconds());

    UwParseLock(UwParseLock&& other) noexcept = default;
    UwParseLock& operator=(UwParseLock&&) = delete;
    UwParseLock(const UwParseLock&) = delete;
    ~UwParseLock() { release(); }

    // unlockfd(): unlinks the lock file unless another process holds it.
    void release();
    const std::string& path() const { return path_; }
    bool held() const { return static_cast<bool>(fd_); }

    // "/tmp/.<dev>.<ino>" as UW names it for the file open on fd.
    static std::string path_for(int mailbox_fd);

private:
    // Another process waits for this lock file (its fcntl mark on byte 0).
    bool has_waiters() const;
    UwParseLock(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    UniqueFd fd_;
};

}  // namespace mail
