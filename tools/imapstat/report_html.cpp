// --html DIR: index.html with the text report's figures and three charts
// drawn by gnuplot as SVG (sessions and concurrency per hour, CPU per hour,
// top hosts). gnuplot reads the data from .dat files left beside them.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tools/imapstat/report.hpp"

extern char** environ;

namespace mail::imapstat {

namespace {

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

// A name as a gnuplot data-file label: one quoted word, no quote inside.
std::string label(std::string_view s) {
    std::string out = "\"";
    for (char c : s) out += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
    return out + "\"";
}

// A path inside a gnuplot single-quoted string ('' is a quote).
std::string gp_path(const std::string& p) {
    std::string out = "'";
    for (char c : p) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::string write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return path + ": cannot write";
    return {};
}

// "set yrange [0:top]" with a tenth of headroom above max (1 when max is 0).
std::string y_range(double max) {
    std::ostringstream line;
    line << "set yrange [0:" << (max > 0 ? max * 1.1 : 1.0) << "]\n";
    return line.str();
}

std::string run_gnuplot(const std::string& script) {
    const char* argv[] = {"gnuplot", script.c_str(), nullptr};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", nullptr, nullptr, const_cast<char**>(argv), environ);
    if (rc != 0)
        return std::string("cannot run gnuplot (install gnuplot-nox): ") + std::strerror(rc);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "gnuplot failed on " + script;
    return {};
}

}  // namespace

std::string write_html(const std::string& dir, const Report& r) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return dir + ": " + std::strerror(errno);
    const Stats& s = r.stats;

    std::ostringstream hours, hosts;
    hours << "# hour_start sessions_started cpu_seconds max_concurrent\n";
    for (const auto& [hour, h] : s.hours())
        hours << static_cast<long long>(hour) * 3600 << ' ' << h.sessions << ' ' << h.cpu << ' '
              << h.peak << '\n';
    hosts << "# rank sessions cpu_seconds host\n";
    auto top_hosts = ranked(s.hosts, Order::Sessions, r.top);
    for (size_t i = 0; i < top_hosts.size(); ++i)
        hosts << i << ' ' << top_hosts[i].second.sessions << ' ' << top_hosts[i].second.cpu << ' '
              << label(top_hosts[i].first) << '\n';
    const std::string hours_dat = dir + "/hours.dat", hosts_dat = dir + "/hosts.dat";
    if (auto e = write_file(hours_dat, hours.str()); !e.empty()) return e;
    if (auto e = write_file(hosts_dat, hosts.str()); !e.empty()) return e;

    // Each chart's y-axis ends above its largest value, so that a line at
    // the maximum (every hour alike) is not drawn on the top border.
    double max_sessions = 0, max_cpu = 0, max_host = 0;
    for (const auto& [hour, h] : s.hours()) {
        max_sessions = std::max({max_sessions, static_cast<double>(h.sessions), static_cast<double>(h.peak)});
        max_cpu = std::max(max_cpu, static_cast<double>(h.cpu));
    }
    for (const auto& host : top_hosts) max_host = std::max(max_host, static_cast<double>(host.second.sessions));

    std::ostringstream gp;
    gp << "set terminal svg size 960,420 dynamic background '#ffffff'\n"
          "set termoption noenhanced\n"
          "set grid\nset key top left\n"
          "set xdata time\nset timefmt '%s'\nset format x \"%m-%d\\n%H:%M\"\n"
          "set xlabel 'hour (UTC)'\n";
    gp << "set output " << gp_path(dir + "/sessions.svg") << "\n"
       << "set title 'Sessions per hour'\n"
       << y_range(max_sessions)
       << "plot " << gp_path(hours_dat)
       << " using 1:2 with steps lw 2 title 'sessions started per hour', '' using 1:4 with steps "
          "lw 2 title 'max concurrent sessions'\n";
    gp << "set output " << gp_path(dir + "/cpu.svg") << "\n"
       << "set title 'CPU time per hour'\nset style fill solid 0.6\nset boxwidth 3000 absolute\n"
       << y_range(max_cpu)
       << "plot " << gp_path(hours_dat) << " using 1:3 with boxes title 'CPU seconds per hour'\n";
    gp << "set output " << gp_path(dir + "/hosts.svg") << "\n"
       << "set xdata\nset format x '%g'\nset xlabel ''\nset title 'Top hosts by sessions'\n"
          "set boxwidth 0.7 relative\nset xtics rotate by -30\n"
       << y_range(max_host);
    if (top_hosts.empty())
        gp << "set xrange [0:1]\nplot 0 notitle\n";
    else
        gp << "plot " << gp_path(hosts_dat)
           << " using 1:2:xticlabels(4) with boxes title 'sessions per host'\n";
    const std::string script = dir + "/charts.gp";
    if (auto e = write_file(script, gp.str()); !e.empty()) return e;
    if (auto e = run_gnuplot(script); !e.empty()) return e;

    std::ostringstream text;
    write_text(text, r);
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>imapstat</title>\n"
            "<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}"
            "</style></head><body>\n<h1>imapd sessions</h1>\n"
            "<h2>Sessions and concurrency</h2>\n<img src=\"sessions.svg\" alt=\"sessions per hour\">\n"
            "<h2>CPU time</h2>\n<img src=\"cpu.svg\" alt=\"CPU time per hour\">\n"
            "<h2>Top hosts</h2>\n<img src=\"hosts.svg\" alt=\"top hosts\">\n"
            "<h2>Report</h2>\n<pre>"
         << html_escape(text.str()) << "</pre>\n</body></html>\n";
    return write_file(dir + "/index.html", html.str());
}

}  // namespace mail::imapstat
