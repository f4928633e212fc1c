#include <cstdio>

#include "tools/imapstat/report.hpp"

namespace mail::imapstat {

namespace {

std::string fixed(double v, int places = 3) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", places, v);
    return buf;
}

void row(std::ostream& out, std::string_view label, const std::string& value) {
    out << "  " << label;
    for (size_t i = label.size(); i < 26; ++i) out << ' ';
    out << value << '\n';
}

void top_table(std::ostream& out, const char* title,
               const std::vector<std::pair<std::string, Tally>>& rows) {
    out << '\n' << title << '\n';
    if (rows.empty()) {
        out << "  (none)\n";
        return;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %10s %12s %12s  %s\n", "sessions", "connect", "cpu s", "name");
    out << buf;
    for (const auto& [name, t] : rows) {
        std::snprintf(buf, sizeof buf, "  %10llu %12s %12s  ",
                      static_cast<unsigned long long>(t.sessions), format_duration(t.connect).c_str(),
                      fixed(t.cpu).c_str());
        out << buf << name << '\n';
    }
}

}  // namespace

void write_text(std::ostream& out, const Report& r) {
    const Stats& s = r.stats;
    const LineCounts& l = r.lines;
    out << "imapstat: imapd sessions\n";
    if (s.sessions)
        out << "  from " << format_utc(s.first_start) << " to " << format_utc(s.last_end) << "\n";
    out << "\nInput\n";
    row(out, "lines read", std::to_string(l.lines));
    row(out, "session lines", std::to_string(l.sessions));
    row(out, "malformed (skipped)", std::to_string(l.malformed));
    for (const auto& where : l.malformed_examples) row(out, "  e.g.", where);
    row(out, "outside --since/--until", std::to_string(l.out_of_range));

    out << "\nSessions\n";
    row(out, "sessions", std::to_string(s.sessions));
    row(out, "without login", std::to_string(s.without_login));
    row(out, "unique users", std::to_string(s.users.size()));
    row(out, "unique hosts", std::to_string(s.hosts.size()));
    double n = s.sessions ? static_cast<double>(s.sessions) : 1;
    row(out, "connect time", format_duration(s.connect_total) + "  (average " +
                                 format_duration(s.connect_total / n) + ", " +
                                 fixed(s.connect_total / n) + " s)");
    row(out, "CPU time", fixed(s.cpu_total()) + " s  (user " + fixed(s.utime) + ", system " +
                             fixed(s.stime) + ", average " + fixed(s.cpu_total() / n, 4) + ")");
    row(out, "page faults", std::to_string(s.minflt) + " minor, " + std::to_string(s.majflt) +
                                " major");
    row(out, "largest RSS", std::to_string(s.maxrss) + " KB");
    row(out, "bytes", std::to_string(s.bytes_in) + " in, " + std::to_string(s.bytes_out) + " out");
    std::string peak = std::to_string(s.concurrency.peak());
    if (s.concurrency.peak()) peak += "  (hour of " + format_utc(s.concurrency.peak_hour()) + ")";
    if (s.concurrency.late())
        peak += "  at most; " + std::to_string(s.concurrency.late()) +
                " sessions were longer than 6h or read out of order";
    row(out, "max concurrent sessions", peak);

    out << "\nSession length\n";
    for (size_t i = 0; i < kLengthBuckets.size(); ++i) {
        char buf[96];
        double share = s.sessions ? 100.0 * static_cast<double>(s.lengths[i]) / n : 0;
        std::snprintf(buf, sizeof buf, "  %-8s %10llu  %5.1f%%\n",
                      std::string(kLengthBuckets[i].label).c_str(),
                      static_cast<unsigned long long>(s.lengths[i]), share);
        out << buf;
    }

    top_table(out, "Top users by sessions", ranked(s.users, Order::Sessions, r.top));
    top_table(out, "Top users by CPU", ranked(s.users, Order::Cpu, r.top));
    top_table(out, "Top hosts by sessions (connections per host)",
              ranked(s.hosts, Order::Sessions, r.top));
    top_table(out, "Top hosts by CPU", ranked(s.hosts, Order::Cpu, r.top));
}

}  // namespace mail::imapstat
