#include "lock/lock_wait.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace mail {

namespace {

int timer_signal() { return SIGRTMIN + 5; }

void no_op(int) {}

void install_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = no_op;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: the blocked lock call returns EINTR
        ::sigaction(timer_signal(), &sa, nullptr);
    });
}

long long now_ms() {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// A timer that signals this thread at the deadline and every 5 ms after.
class DeadlineTimer {
public:
    explicit DeadlineTimer(long timeout_ms) {
        struct sigevent ev {};
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = timer_signal();
        ev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
        if (::timer_create(CLOCK_MONOTONIC, &ev, &timer_) < 0) return;
        armed_ = true;
        struct itimerspec spec {};
        spec.it_value.tv_sec = timeout_ms / 1000;
        spec.it_value.tv_nsec = (timeout_ms % 1000) * 1000000L + 1;
        spec.it_interval.tv_nsec = 5 * 1000000L;
        ::timer_settime(timer_, 0, &spec, nullptr);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, timer_signal());
        ::pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
    }
    ~DeadlineTimer() {
        if (!armed_) return;
        ::timer_delete(timer_);
        ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }
    DeadlineTimer(const DeadlineTimer&) = delete;
    DeadlineTimer& operator=(const DeadlineTimer&) = delete;
    bool armed() const { return armed_; }

private:
    timer_t timer_{};
    bool armed_ = false;
    sigset_t old_mask_{};
};

}  // namespace

LockWait blocking_lock_wait(const std::function<int()>& lock, long timeout_ms) {
    install_handler();
    if (timeout_ms < 1) timeout_ms = 1;
    const long long deadline = now_ms() + timeout_ms;
    DeadlineTimer timer(timeout_ms);
    if (!timer.armed()) return LockWait::NoTimer;
    for (;;) {
        if (lock() == 0) return LockWait::Locked;
        if (errno != EINTR) return LockWait::Failed;
        if (now_ms() >= deadline) return LockWait::TimedOut;
    }
}

}  // namespace mail
