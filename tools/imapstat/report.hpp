// imapstat's outputs: a text report for people, JSON and CSV for programs,
// and an HTML page with SVG charts drawn by gnuplot.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "tools/imapstat/stats.hpp"

namespace mail::imapstat {

struct Report {
    const Stats& stats;
    const LineCounts& lines;
    size_t top = 10;  // rows in the text and HTML top lists
};

void write_text(std::ostream& out, const Report& r);
// JSON and CSV list every user and host (sorted by sessions); --top does
// not cut them.
void write_json(std::ostream& out, const Report& r);
void write_csv(std::ostream& out, const Report& r);
// Writes DIR/index.html, the charts DIR/*.svg and their data DIR/*.dat.
// Returns an error message, empty on success.
std::string write_html(const std::string& dir, const Report& r);

// Shared formatting: "3d 04:05:06" style durations, UTC ISO times.
std::string format_duration(double seconds);
std::string format_utc(std::time_t t);        // 2025-11-25T23:04:35Z
std::string format_hour_utc(long hour);       // 2025-11-25T23:00Z
std::string json_string(std::string_view s);
std::string csv_field(std::string_view s);

}  // namespace mail::imapstat
