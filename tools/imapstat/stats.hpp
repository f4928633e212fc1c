// The figures imapstat reports, accumulated one session at a time. Memory
// grows with the number of users, hosts and hours, never with the number of
// lines.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imapd/log/session_end.hpp"
#include "tools/imapstat/concurrency.hpp"

namespace mail::imapstat {

struct Tally {
    uint64_t sessions = 0;
    double connect = 0;  // seconds
    double cpu = 0;      // user + system seconds
};

struct HourTally {
    uint64_t sessions = 0;  // sessions that started in the hour
    double cpu = 0;         // their CPU time
    int peak = 0;           // most sessions open at one instant in the hour
};

// Session length buckets: [bound[i-1], bound[i]) seconds, the last open.
struct LengthBucket {
    std::string_view label;
    double upto;  // exclusive upper bound, seconds
};
inline constexpr std::array<LengthBucket, 7> kLengthBuckets = {{
    {"<1s", 1},
    {"1-10s", 10},
    {"10s-1m", 60},
    {"1-10m", 600},
    {"10m-1h", 3600},
    {"1-8h", 8 * 3600},
    {">=8h", 1e300},
}};

// How the lines of the input were classified.
struct LineCounts {
    uint64_t lines = 0;
    uint64_t sessions = 0;      // session-end lines read and in range
    uint64_t malformed = 0;     // imapd session-end lines that could not be read
    uint64_t out_of_range = 0;  // sessions outside --since/--until
    std::vector<std::string> malformed_examples;  // "file:line", the first few
};

class Stats {
public:
    void add(const imapd::SessionEnd& s);
    void finish();  // after the last add

    uint64_t sessions = 0;
    uint64_t without_login = 0;
    double connect_total = 0;
    double utime = 0, stime = 0;
    uint64_t minflt = 0, majflt = 0;
    long maxrss = 0;
    uint64_t bytes_in = 0, bytes_out = 0;
    std::time_t first_start = 0, last_end = 0;
    std::unordered_map<std::string, Tally> users;  // logged-in sessions only
    std::unordered_map<std::string, Tally> hosts;
    std::array<uint64_t, kLengthBuckets.size()> lengths{};
    ConcurrencyTracker concurrency;

    double cpu_total() const { return utime + stime; }
    // Per hour (hour number since the epoch → figures), after finish().
    const std::map<long, HourTally>& hours() const { return hours_; }

private:
    std::map<long, HourTally> hours_;
};

// A table's rows sorted by sessions or by CPU, largest first, ties by name;
// limit 0: all.
enum class Order { Sessions, Cpu };
std::vector<std::pair<std::string, Tally>> ranked(
    const std::unordered_map<std::string, Tally>& table, Order order, size_t limit);

}  // namespace mail::imapstat
