// Maximum number of sessions open at one instant, in memory bounded by the
// time span of the log, not by its length.
//
// Log lines come in the order sessions end, and a session's start is only
// known at its end, so no instant is final until every session covering it
// has ended. The tracker keeps second-exact start/end events for a sliding
// window (sessions ending within `window` of the latest end seen) and folds
// everything older into a per-hour peak. A session that starts before the
// window's edge (longer than the window, or from a file read out of order)
// adds one to the peaks of the hours it covers: exact for hours it covers
// whole, an upper bound for the hours at its ends; late() counts them.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>

namespace mail::imapstat {

class ConcurrencyTracker {
public:
    explicit ConcurrencyTracker(std::time_t window = 6 * 3600) : window_(window) {}

    // A session open over [start, end) (seconds; end > start).
    void add(std::time_t start, std::time_t end);
    // Folds the remaining window; call once after the last add.
    void finish();

    int peak() const { return peak_; }
    std::time_t peak_hour() const { return peak_hour_; }  // start of the hour, 0: none
    const std::map<long, int>& hourly_peaks() const { return hours_; }  // hour number → peak
    uint64_t late() const { return late_; }

private:
    void sweep_to(std::time_t t);
    void raise(std::time_t from, std::time_t to, int level);

    std::time_t window_;
    bool started_ = false;
    std::time_t frontier_ = 0;     // instants before it are folded into hours_
    std::time_t latest_end_ = 0;
    int level_ = 0;                // sessions open at frontier_ - 1 (and on, until an event)
    std::map<std::time_t, int> events_;  // second → starts minus ends, at or after frontier_
    std::map<long, int> hours_;
    int peak_ = 0;
    std::time_t peak_hour_ = 0;
    uint64_t late_ = 0;
};

}  // namespace mail::imapstat
