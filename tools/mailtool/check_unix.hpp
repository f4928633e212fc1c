// Checking a Berkeley mbox from what the driver's scanner found
// (drivers/unix/scanner.hpp): the first line is a From line, the X-IMAP
// pseudo-message or X-IMAPbase is where UW puts it, X-UIDs strictly
// increase and are at most the base's last UID, every message ends with a
// blank line before the next From line, and the file does not end in the
// middle of a line. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "drivers/unix/scanner.hpp"
#include "tools/mailtool/check_findings.hpp"

namespace mail::tool {

struct UnixPlan {
    bool mbox_ok = false;  // starts with a From line: repair can work on it
    bool renumber = false; // X-UIDs out of order or above the base: new UIDVALIDITY, UIDs 1..n
    bool unrepairable = false;
    // Newlines to insert at these offsets (a message not ended by a blank
    // line; offset == file size: at the end).
    std::vector<std::pair<uint64_t, unsigned>> newlines;
};

struct UnixAnalysis {
    Findings findings;
    UnixPlan plan;
};

// ends_with_newline: the file's last byte is '\n' (or the file is empty).
UnixAnalysis analyze_unix(const std::vector<unixmbox::ScannedMessage>& messages, bool scanner_bad,
                          uint64_t file_size, bool ends_with_newline);

}  // namespace mail::tool
