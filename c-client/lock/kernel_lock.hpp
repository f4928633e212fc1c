// The kernel locks mbox writers take on an open mailbox file: an fcntl()
// record lock on the whole file (Postfix, procmail) and flock() (UW
// c-client). On Linux they are independent, so a writer takes both.
//
// Caveat of fcntl(): the lock is released when the process closes ANY
// descriptor of the file, so a holder must not close other descriptors of
// the same file while it holds the lock.
#pragma once

#include "lock/lock_timeout.hpp"
#include "util/fd.hpp"

namespace mail {

class KernelLock {
public:
    KernelLock() = default;
    // Locks fd (exclusive or shared), waiting up to timeout_seconds; throws
    // MailError(Busy) after that. The fd must stay open while locked.
    static KernelLock acquire(int fd, bool exclusive, int timeout_seconds = lock_timeout_seconds());

    KernelLock(KernelLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    KernelLock& operator=(KernelLock&&) = delete;
    KernelLock(const KernelLock&) = delete;
    ~KernelLock() { release(); }

    bool held() const { return fd_ >= 0; }
    void release();

private:
    explicit KernelLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace mail
