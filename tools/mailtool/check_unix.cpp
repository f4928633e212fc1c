#include "tools/mailtool/check_unix.hpp"

#include <algorithm>
#include <string>

namespace mail::tool {

UnixAnalysis analyze_unix(const std::vector<unixmbox::ScannedMessage>& messages, bool scanner_bad,
                          uint64_t file_size, bool ends_with_newline) {
    UnixAnalysis a;
    Findings& out = a.findings;
    UnixPlan& plan = a.plan;
    if (file_size == 0) {
        out.good("", "unix mbox, empty");
        plan.mbox_ok = true;
        return a;
    }
    if (scanner_bad || messages.empty()) {
        out.problem(at_offset(messages.empty() ? 0 : messages.back().next),
                    messages.empty() ? "the file does not start with a From line: not an mbox"
                                     : "a line where a From line should be");
        plan.unrepairable = true;
        return a;
    }
    plan.mbox_ok = true;
    const auto& first = messages.front();
    const bool pseudo = first.pseudo;
    const auto& base = first.base;
    if (pseudo && first.base->uidvalidity == 0) out.problem(at_offset(first.start), "X-IMAP has UIDVALIDITY 0");
    uint64_t prev = 0;
    size_t counted = 0;
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (i > 0 && m.pseudo) {
            out.problem(at_offset(m.start), "a folder-internal-data (X-IMAP) message that is not the first");
            plan.unrepairable = true;
        }
        if (i == 0 && pseudo) continue;
        ++counted;
        if (m.xuid && base) {
            uint64_t x = *m.xuid;
            if (x == 0 || x <= prev) {
                out.problem(at_offset(m.start, static_cast<unsigned long>(x)),
                            "X-UID " + std::to_string(x) + " is not above the previous UID " + std::to_string(prev));
                plan.renumber = true;
            } else if (x > std::max<uint64_t>(base->uid_last, prev) + 1) {
                // Appends (ours, UW's rewrite) add X-UIDs one above the last
                // without rewriting the base; anything further is forged.
                out.problem(at_offset(m.start, static_cast<unsigned long>(x)),
                            "X-UID " + std::to_string(x) + " is above the last UID " +
                                std::to_string(std::max<uint64_t>(base->uid_last, prev)) + " (" +
                                (pseudo ? "X-IMAP" : "X-IMAPbase") + " or the previous message) plus one");
                plan.renumber = true;
            }
            prev = std::max(prev, x);
        }
        const bool last = i + 1 == messages.size();
        const bool header_only = m.blank == m.body;  // no blank line ended the header
        unsigned missing = 0;
        if (last && !ends_with_newline) {
            out.problem(at_offset(m.start), "a partial message at the end: its last line has no newline");
            missing = 1;
        }
        if (m.end == m.next) {
            if (header_only)
                out.problem(at_offset(m.start), "the header is not ended by a blank line");
            else if (missing == 0)
                out.problem(at_offset(m.start), "the message is not ended by a blank line" +
                                                    std::string(last ? " at the end of the file" : " before the next From line"));
            missing += header_only ? 2 : 1;
        }
        if (missing) plan.newlines.emplace_back(last ? file_size : m.next, missing);
    }
    if (out.problems() == 0) {
        std::string what = "unix mbox, " + std::to_string(counted) + " messages";
        if (prev) what += ", highest X-UID " + std::to_string(prev);
        if (base)
            what += ", UIDVALIDITY " + std::to_string(base->uidvalidity) + ", last UID " + std::to_string(base->uid_last) +
                    (pseudo ? " (X-IMAP)" : " (X-IMAPbase)");
        out.good("", what);
    }
    return a;
}

}  // namespace mail::tool
