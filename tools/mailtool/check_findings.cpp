#include "tools/mailtool/check_findings.hpp"

namespace mail::tool {

size_t Findings::problems() const {
    size_t n = 0;
    for (const Finding& f : items) n += f.severity == Severity::Problem;
    return n;
}

std::string format_finding(const std::string& mailbox, const Finding& f) {
    const char* lead = f.severity == Severity::Problem ? "problem: " : f.severity == Severity::Info ? "info: " : "ok: ";
    std::string line = lead + mailbox + ": ";
    if (!f.where.empty()) line += f.where + ": ";
    return line + f.what;
}

std::string at_offset(unsigned long long offset, unsigned long uid) {
    std::string s = "offset " + std::to_string(offset);
    if (uid) s += " (UID " + std::to_string(uid) + ")";
    return s;
}

}  // namespace mail::tool
