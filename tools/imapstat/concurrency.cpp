#include "tools/imapstat/concurrency.hpp"

#include <algorithm>

namespace mail::imapstat {

namespace {
long hour_of(std::time_t t) { return static_cast<long>(t >= 0 ? t / 3600 : (t - 3599) / 3600); }
}  // namespace

void ConcurrencyTracker::add(std::time_t start, std::time_t end) {
    if (end <= start) end = start + 1;
    if (!started_) {
        started_ = true;
        // Sessions logged later may have started earlier: the window reaches
        // back from the first end as it does from every later one.
        frontier_ = std::min(start, end - window_);
        latest_end_ = end;
    }
    if (start >= frontier_) {
        ++events_[start];
        --events_[end];
    } else {
        ++late_;
        std::time_t folded_end = std::min(end, frontier_);
        for (long h = hour_of(start); h <= hour_of(folded_end - 1); ++h) {
            int& p = hours_[h];
            ++p;
            if (p > peak_) {
                peak_ = p;
                peak_hour_ = static_cast<std::time_t>(h) * 3600;
            }
        }
        if (end > frontier_) {
            ++level_;
            --events_[end];
        }
    }
    if (end > latest_end_) {
        latest_end_ = end;
        if (latest_end_ - window_ > frontier_) sweep_to(latest_end_ - window_);
    }
}

void ConcurrencyTracker::finish() {
    if (!events_.empty()) sweep_to(events_.rbegin()->first + 1);
}

void ConcurrencyTracker::sweep_to(std::time_t t) {
    std::time_t prev = frontier_;
    auto it = events_.begin();
    for (; it != events_.end() && it->first < t; ++it) {
        raise(prev, it->first, level_);
        level_ += it->second;
        prev = it->first;
    }
    raise(prev, t, level_);
    events_.erase(events_.begin(), it);
    frontier_ = t;
}

// level sessions were open over [from, to).
void ConcurrencyTracker::raise(std::time_t from, std::time_t to, int level) {
    if (level <= 0 || from >= to) return;
    for (long h = hour_of(from); h <= hour_of(to - 1); ++h) {
        int& p = hours_[h];
        if (level > p) p = level;
        if (p > peak_) {
            peak_ = p;
            peak_hour_ = static_cast<std::time_t>(h) * 3600;
        }
    }
}

}  // namespace mail::imapstat
