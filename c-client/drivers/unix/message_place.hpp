// Where one message of an open mbox is, kept for every message while the
// mailbox is open, so it is small (40 bytes): the From line's offset, the
// text's end, the rest relative to the From line, the file as an index into
// the mailbox's table of open files (an old file stays readable after a
// rewrite), and the one run of hidden lines (Status, X-Status, X-Keywords,
// X-UID, X-IMAP...) that a client does not see. A header whose hidden lines
// are not one run (rare: our rewrites put them together before the blank
// line) is scanned again when the message is read.
#pragma once

#include <cstdint>
#include <vector>

#include "drivers/unix/scanner.hpp"
#include "mailbox/types.hpp"

namespace mail::unixmbox {

struct MessagePlace {
    uint64_t start = 0;        // the From line
    uint64_t end = 0;          // end of the text, the separating blank line left out
    uint32_t header = 0;       // first header line, from start
    uint32_t blank = 0;        // the blank line ending the header (== body when none), from start
    uint32_t hidden_from = 0;  // the hidden run [hidden_from, hidden_to), from start; equal: none
    uint32_t hidden_to = 0;
    uint16_t file = 0;         // UnixMailbox::files_[file]
    uint8_t body_gap = 0;      // body - blank: the blank line's length (0, 1 or 2)
    bool scattered = false;    // hidden lines in more than one run: rescan (visible_ranges)

    uint64_t header_at() const { return start + header; }
    uint64_t blank_at() const { return start + blank; }
    uint64_t body_at() const { return start + blank + body_gap; }
};
static_assert(sizeof(MessagePlace) == 40, "one of these per message: keep it small");

// The place of a scanned message. Throws MailError(Corrupt) for a header
// (From line included) of 4 GB or more, which the layout cannot hold.
MessagePlace place_of(const ScannedMessage& m, uint16_t file);

// The bytes a client sees (the header without hidden lines, then the blank
// line and the body) of the message at p in the file fd: from p alone, or,
// when p.scattered, by scanning its header again (reads [start, body) of fd;
// throws MailError(Io) on a read error).
std::vector<FileRange> visible_ranges(const MessagePlace& p, int fd);

}  // namespace mail::unixmbox
