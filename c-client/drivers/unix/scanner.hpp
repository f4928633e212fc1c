// Reading a Berkeley mbox: a scanner fed one line at a time finds the
// messages, their internal dates, the UW status lines (hidden from clients)
// and the byte ranges a client sees. Pure (no I/O); scan_file() feeds it
// from a file in bounded memory, scan_bytes() from memory (tests, fuzzing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/unix/status_headers.hpp"
#include "mailbox/types.hpp"

namespace mail::unixmbox {

struct ScannedMessage {
    uint64_t start = 0;   // offset of the From line
    uint64_t header = 0;  // offset of the first header line
    uint64_t blank = 0;   // offset of the blank line ending the header (== body when none)
    uint64_t body = 0;    // offset of the body (after the blank line)
    uint64_t end = 0;     // end of the text, the separating blank line left out
    uint64_t next = 0;    // where the next message (or the data) starts
    std::vector<FileRange> visible;  // the header without hidden lines, then the body
    uint64_t size = 0;    // RFC822.SIZE: visible bytes with LF counted as CRLF
    int64_t internal_date = 0;
    int32_t zone_minutes = 0;
    uint32_t flags = 0;   // from Status and X-Status
    bool old = false;     // Status has O
    bool has_status = false;  // a Status or X-Status line was present
    std::vector<std::string> keywords;  // X-Keywords
    std::optional<uint64_t> xuid;       // X-UID, when it parses as a number
    std::optional<MailboxBase> base;    // X-IMAP or X-IMAPbase
    bool pseudo = false;  // carries X-IMAP: the folder-internal-data message
    uint64_t header_hash = 0;  // FNV-1a 64 of [start, body): the index checks it (index_file.hpp)
};

// One line: its offset, its bytes (all of them, or only the first ones for
// a very long line), its whole length, whether it ends with LF and CRLF.
struct LineRef {
    uint64_t offset = 0;
    uint64_t length = 0;
    std::string_view head;
    bool newline = false;
    bool crlf = false;
};

class MboxScanner {
public:
    // Returns false when the data does not start (after blank lines) with a
    // From line: not an mbox, or not where a message should begin.
    bool line(const LineRef& l);
    void finish(uint64_t end_offset);

    bool bad() const { return bad_; }
    std::vector<ScannedMessage>& messages() { return messages_; }

private:
    enum class State { Before, Header, Body };
    void close_current(uint64_t next);
    void visible(const LineRef& l);
    void hidden_line(HiddenField f, std::string_view text);

    State state_ = State::Before;
    bool bad_ = false;
    bool hiding_ = false;         // continuation lines of a hidden field are hidden too
    uint64_t last_blank_ = 0;     // length of the last body line when blank
    std::vector<ScannedMessage> messages_;
};

// Scans [from, to) of an open file. Lines over 64 KB are passed shortened.
// Throws MailError(Io) on a read error.
void scan_file(int fd, uint64_t from, uint64_t to, MboxScanner& scanner);

// Scans bytes in memory as if they were a file starting at offset 0.
std::vector<ScannedMessage> scan_bytes(std::string_view data, bool* bad = nullptr);

}  // namespace mail::unixmbox
