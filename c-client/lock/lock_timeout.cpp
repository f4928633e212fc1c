#include "lock/lock_timeout.hpp"

#include <atomic>

namespace mail {

namespace {
std::atomic<int> timeout_seconds{30};
}

int lock_timeout_seconds() { return timeout_seconds.load(std::memory_order_relaxed); }

void set_lock_timeout_seconds(int seconds) {
    timeout_seconds.store(seconds > 0 ? seconds : 1, std::memory_order_relaxed);
}

}  // namespace mail
