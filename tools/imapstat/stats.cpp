#include "tools/imapstat/stats.hpp"

#include <algorithm>
#include <cmath>

namespace mail::imapstat {

void Stats::add(const imapd::SessionEnd& s) {
    ++sessions;
    double cpu = s.utime + s.stime;
    connect_total += s.duration;
    utime += s.utime;
    stime += s.stime;
    minflt += static_cast<uint64_t>(s.minflt);
    majflt += static_cast<uint64_t>(s.majflt);
    maxrss = std::max(maxrss, s.maxrss);
    bytes_in += s.bytes_in;
    bytes_out += s.bytes_out;

    auto tally = [&](Tally& t) {
        ++t.sessions;
        t.connect += s.duration;
        t.cpu += cpu;
    };
    if (s.user.empty())
        ++without_login;
    else
        tally(users[s.user]);
    tally(hosts[s.host]);

    size_t b = 0;
    while (b + 1 < kLengthBuckets.size() && s.duration >= kLengthBuckets[b].upto) ++b;
    ++lengths[b];

    std::time_t start = s.connect;
    // Whole seconds: the session holds [start, end); at least its first second.
    std::time_t end = start + static_cast<std::time_t>(std::ceil(s.duration));
    if (end <= start) end = start + 1;
    if (sessions == 1 || start < first_start) first_start = start;
    if (sessions == 1 || end > last_end) last_end = end;
    concurrency.add(start, end);

    HourTally& h = hours_[static_cast<long>(start / 3600)];
    ++h.sessions;
    h.cpu += cpu;
}

void Stats::finish() {
    concurrency.finish();
    for (const auto& [hour, peak] : concurrency.hourly_peaks()) hours_[hour].peak = peak;
}

std::vector<std::pair<std::string, Tally>> ranked(
    const std::unordered_map<std::string, Tally>& table, Order order, size_t limit) {
    std::vector<std::pair<std::string, Tally>> rows(table.begin(), table.end());
    auto key = [order](const Tally& t) {
        return order == Order::Sessions ? static_cast<double>(t.sessions) : t.cpu;
    };
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        double ka = key(a.second), kb = key(b.second);
        if (ka != kb) return ka > kb;
        return a.first < b.first;
    });
    if (limit && rows.size() > limit) rows.resize(limit);
    return rows;
}

}  // namespace mail::imapstat
