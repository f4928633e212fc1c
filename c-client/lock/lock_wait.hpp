// Waiting for a kernel lock in the kernel's queue. A blocking flock() or
// fcntl(F_SETLKW) puts the caller in the lock's wait list (Linux wakes the
// waiters in turn, a later request waiting behind an earlier one), where
// polling with LOCK_NB and naps lets a waiter lose every race to whoever
// happens to try while the lock is free (issue 17: one of 50 deliveries
// waited out its 30 s). The wait is bounded by a per-thread POSIX timer
// whose signal (a no-op handler, installed once, without SA_RESTART)
// interrupts the call at the deadline and every few milliseconds after it,
// in case the first signal came just before the call went to sleep.
#pragma once

#include <functional>

namespace mail {

enum class LockWait { Locked, TimedOut, Failed, NoTimer };

// Calls lock() (a blocking flock/fcntl; 0 or -1 with errno) until it
// succeeds or timeout_ms have passed. Failed: another error of lock(),
// errno set (EINTR is absorbed). NoTimer: no timer could be made (the
// caller polls instead).
LockWait blocking_lock_wait(const std::function<int()>& lock, long timeout_ms);

}  // namespace mail
