// What `mailtool check` found in one mailbox: one finding a line, each
// saying where (a file, an offset, a UID) and what. Problems make the exit
// status 1; info (damaged derived files, which are rebuilt anyway) and good
// news (shown with -v) do not. Repair plans are built by the analyzers
// beside their findings, so the analyzers stay pure.
#pragma once

#include <string>
#include <vector>

namespace mail::tool {

enum class Severity { Good, Info, Problem };

struct Finding {
    Severity severity = Severity::Problem;
    std::string where;  // "offset 2048 (UID 7)", "cur/1234.M5P6.host:2,S", "" for the whole mailbox
    std::string what;
    bool operator==(const Finding&) const = default;
};

struct Findings {
    std::vector<Finding> items;

    void good(std::string where, std::string what) { add(Severity::Good, std::move(where), std::move(what)); }
    void info(std::string where, std::string what) { add(Severity::Info, std::move(where), std::move(what)); }
    void problem(std::string where, std::string what) { add(Severity::Problem, std::move(where), std::move(what)); }
    void add(Severity s, std::string where, std::string what) {
        items.push_back(Finding{s, std::move(where), std::move(what)});
    }
    void append(const Findings& other) { items.insert(items.end(), other.items.begin(), other.items.end()); }
    size_t problems() const;
};

// "problem: PATH: WHERE: WHAT" (no "WHERE: " when where is empty); "info:"
// and "ok:" for the other severities.
std::string format_finding(const std::string& mailbox, const Finding& f);

// "offset N" or "offset N (UID u)".
std::string at_offset(unsigned long long offset, unsigned long uid = 0);

}  // namespace mail::tool
