#include "drivers/unix/message_place.hpp"

#include <limits>

#include "util/error.hpp"

namespace mail::unixmbox {

namespace {

uint32_t relative(uint64_t at, uint64_t start) {
    if (at - start > std::numeric_limits<uint32_t>::max())
        throw MailError(ErrorKind::Corrupt, "a message header of 4 GB or more");
    return static_cast<uint32_t>(at - start);
}

void add(std::vector<FileRange>& out, uint64_t from, uint64_t to) {
    if (to <= from) return;
    if (!out.empty() && out.back().offset + out.back().length == from) out.back().length += to - from;
    else out.push_back(FileRange{from, to - from});
}

}  // namespace

MessagePlace place_of(const ScannedMessage& m, uint16_t file) {
    MessagePlace p;
    p.start = m.start;
    p.end = m.end;
    p.header = relative(m.header, m.start);
    p.blank = relative(m.blank, m.start);
    p.body_gap = static_cast<uint8_t>(m.body - m.blank);
    p.file = file;
    // The visible ranges cover [header, end) but for the hidden lines: find
    // the gaps between them.
    uint64_t at = m.header;
    int gaps = 0;
    for (const FileRange& r : m.visible) {
        if (r.offset > at) {
            if (++gaps == 1) {
                p.hidden_from = relative(at, m.start);
                p.hidden_to = relative(r.offset, m.start);
            }
        }
        at = r.offset + r.length;
    }
    if (at < m.end && ++gaps == 1) {  // hidden lines ending a header without a blank line
        p.hidden_from = relative(at, m.start);
        p.hidden_to = relative(m.end, m.start);
    }
    if (gaps > 1) p.scattered = true, p.hidden_from = p.hidden_to = 0;
    return p;
}

std::vector<FileRange> visible_ranges(const MessagePlace& p, int fd) {
    std::vector<FileRange> out;
    if (!p.scattered) {
        if (p.hidden_from == p.hidden_to) {
            add(out, p.header_at(), p.end);
        } else {
            add(out, p.header_at(), p.start + p.hidden_from);
            add(out, p.start + p.hidden_to, p.end);
        }
        return out;
    }
    // The same scanner over the From line and the header finds the same
    // hidden lines; the blank line and the body are all visible.
    MboxScanner scanner;
    scan_file(fd, p.start, p.body_at(), scanner);
    scanner.finish(p.body_at());
    if (!scanner.bad() && !scanner.messages().empty())
        for (const FileRange& r : scanner.messages().front().visible)
            add(out, r.offset, std::min(r.offset + r.length, p.blank_at()));
    add(out, p.blank_at(), p.end);
    return out;
}

}  // namespace mail::unixmbox
