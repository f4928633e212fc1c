// Checking an mbx file (UW imap-2007f's format, drivers/mbx/format.hpp):
// the 2048-byte header (magic, UIDVALIDITY and last UID in hex, keyword
// slots, PID field), every message line "date,size;KKKKKKKKFFFF-UUUUUUUU",
// sizes that land on the next message line, UIDs strictly increasing and
// at most the header's last UID. Holes (expunged messages UW leaves while
// others have the file open) are fine. Pure: the bytes come through ReadAt.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "drivers/mbx/format.hpp"
#include "tools/mailtool/check_findings.hpp"

namespace mail::tool {

// Reads up to n bytes at offset into buf; returns how many (0 at the end).
using ReadAt = std::function<size_t(uint64_t offset, char* buf, size_t n)>;

struct MbxEntry {
    uint64_t offset = 0;       // of the message line
    uint32_t line_length = 0;  // CRLF included
    uint64_t size = 0;         // of the message after the line
    uint32_t keywords = 0;
    uint32_t flags = 0;  // UW bits
    Uid uid = 0;
};

// What repair would do. Only meaningful when header_ok and !damaged.
struct MbxPlan {
    bool header_ok = false;  // the magic is there: this is an mbx file
    bool damaged = false;    // a message line that does not parse: repair cannot walk the file
    bool partial_tail = false;
    mbx::Header header;      // as it should be written (keyword slots named, last UID raised)
    bool rewrite_header = false;
    bool renumber = false;   // UIDs out of order: new UIDVALIDITY, UIDs 1..n in file order
    std::vector<MbxEntry> entries;
};

struct MbxAnalysis {
    Findings findings;
    MbxPlan plan;
};

MbxAnalysis analyze_mbx(const ReadAt& read, uint64_t file_size);

}  // namespace mail::tool
