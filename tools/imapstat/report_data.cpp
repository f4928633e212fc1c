// --json and --csv: every figure of the text report, and every user, host
// and hour, for other programs.
#include <cstdio>

#include "tools/imapstat/report.hpp"

namespace mail::imapstat {

namespace {

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

std::string num(uint64_t v) { return std::to_string(v); }

void json_tallies(std::ostream& out, const std::unordered_map<std::string, Tally>& table) {
    out << "[";
    bool first = true;
    for (const auto& [name, t] : ranked(table, Order::Sessions, 0)) {
        out << (first ? "\n" : ",\n") << "    {\"name\": " << json_string(name)
            << ", \"sessions\": " << t.sessions << ", \"connect_seconds\": " << num(t.connect)
            << ", \"cpu_seconds\": " << num(t.cpu) << "}";
        first = false;
    }
    out << (first ? "]" : "\n  ]");
}

}  // namespace

void write_json(std::ostream& out, const Report& r) {
    const Stats& s = r.stats;
    const LineCounts& l = r.lines;
    double n = s.sessions ? static_cast<double>(s.sessions) : 1;
    out << "{\n";
    out << "  \"lines\": {\"read\": " << l.lines << ", \"sessions\": " << l.sessions
        << ", \"malformed\": " << l.malformed << ", \"out_of_range\": " << l.out_of_range << "},\n";
    out << "  \"first_start\": " << (s.sessions ? json_string(format_utc(s.first_start)) : "null")
        << ",\n";
    out << "  \"last_end\": " << (s.sessions ? json_string(format_utc(s.last_end)) : "null")
        << ",\n";
    out << "  \"sessions\": " << s.sessions << ",\n";
    out << "  \"sessions_without_login\": " << s.without_login << ",\n";
    out << "  \"unique_users\": " << s.users.size() << ",\n";
    out << "  \"unique_hosts\": " << s.hosts.size() << ",\n";
    out << "  \"connect_seconds\": " << num(s.connect_total) << ",\n";
    out << "  \"average_connect_seconds\": " << num(s.connect_total / n) << ",\n";
    out << "  \"cpu_seconds\": " << num(s.cpu_total()) << ",\n";
    out << "  \"user_cpu_seconds\": " << num(s.utime) << ",\n";
    out << "  \"system_cpu_seconds\": " << num(s.stime) << ",\n";
    out << "  \"average_cpu_seconds\": " << num(s.cpu_total() / n) << ",\n";
    out << "  \"minor_faults\": " << s.minflt << ",\n";
    out << "  \"major_faults\": " << s.majflt << ",\n";
    out << "  \"max_rss_kb\": " << s.maxrss << ",\n";
    out << "  \"bytes_in\": " << s.bytes_in << ",\n";
    out << "  \"bytes_out\": " << s.bytes_out << ",\n";
    out << "  \"max_concurrent\": " << s.concurrency.peak() << ",\n";
    out << "  \"max_concurrent_hour\": "
        << (s.concurrency.peak() ? json_string(format_utc(s.concurrency.peak_hour())) : "null")
        << ",\n";
    out << "  \"concurrency_exact\": " << (s.concurrency.late() ? "false" : "true") << ",\n";
    out << "  \"session_length\": [";
    for (size_t i = 0; i < kLengthBuckets.size(); ++i)
        out << (i ? ", " : "") << "{\"bucket\": " << json_string(kLengthBuckets[i].label)
            << ", \"sessions\": " << s.lengths[i] << "}";
    out << "],\n  \"users\": ";
    json_tallies(out, s.users);
    out << ",\n  \"hosts\": ";
    json_tallies(out, s.hosts);
    out << ",\n  \"hours\": [";
    bool first = true;
    for (const auto& [hour, h] : s.hours()) {
        out << (first ? "\n" : ",\n") << "    {\"hour\": " << json_string(format_hour_utc(hour))
            << ", \"sessions\": " << h.sessions << ", \"cpu_seconds\": " << num(h.cpu)
            << ", \"max_concurrent\": " << h.peak << "}";
        first = false;
    }
    out << (first ? "]" : "\n  ]") << "\n}\n";
}

// One table: kind,name,sessions,connect_seconds,cpu_seconds,value.
//   summary  name = the figure, value = its value
//   length   name = the bucket, sessions
//   user, host  name, sessions, connect_seconds, cpu_seconds
//   hour     name = the hour (UTC), sessions, cpu_seconds, value = max concurrent
void write_csv(std::ostream& out, const Report& r) {
    const Stats& s = r.stats;
    const LineCounts& l = r.lines;
    double n = s.sessions ? static_cast<double>(s.sessions) : 1;
    out << "kind,name,sessions,connect_seconds,cpu_seconds,value\n";
    auto summary = [&](const char* name, const std::string& v) {
        out << "summary," << name << ",,,," << csv_field(v) << "\n";
    };
    summary("lines_read", num(l.lines));
    summary("session_lines", num(l.sessions));
    summary("malformed_lines", num(l.malformed));
    summary("out_of_range", num(l.out_of_range));
    summary("first_start", s.sessions ? format_utc(s.first_start) : "");
    summary("last_end", s.sessions ? format_utc(s.last_end) : "");
    summary("sessions", num(s.sessions));
    summary("sessions_without_login", num(s.without_login));
    summary("unique_users", num(static_cast<uint64_t>(s.users.size())));
    summary("unique_hosts", num(static_cast<uint64_t>(s.hosts.size())));
    summary("connect_seconds", num(s.connect_total));
    summary("average_connect_seconds", num(s.connect_total / n));
    summary("cpu_seconds", num(s.cpu_total()));
    summary("user_cpu_seconds", num(s.utime));
    summary("system_cpu_seconds", num(s.stime));
    summary("average_cpu_seconds", num(s.cpu_total() / n));
    summary("minor_faults", num(s.minflt));
    summary("major_faults", num(s.majflt));
    summary("max_rss_kb", std::to_string(s.maxrss));
    summary("bytes_in", num(s.bytes_in));
    summary("bytes_out", num(s.bytes_out));
    summary("max_concurrent", std::to_string(s.concurrency.peak()));
    summary("max_concurrent_hour", s.concurrency.peak() ? format_utc(s.concurrency.peak_hour()) : "");
    summary("concurrency_exact", s.concurrency.late() ? "false" : "true");
    for (size_t i = 0; i < kLengthBuckets.size(); ++i)
        out << "length," << csv_field(kLengthBuckets[i].label) << "," << s.lengths[i] << ",,,\n";
    for (const char* kind : {"user", "host"})
        for (const auto& [name, t] : ranked(kind[0] == 'u' ? s.users : s.hosts, Order::Sessions, 0))
            out << kind << "," << csv_field(name) << "," << t.sessions << "," << num(t.connect) << ","
                << num(t.cpu) << ",\n";
    for (const auto& [hour, h] : s.hours())
        out << "hour," << format_hour_utc(hour) << "," << h.sessions << ",," << num(h.cpu) << ","
            << h.peak << "\n";
}

}  // namespace mail::imapstat
