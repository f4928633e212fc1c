// The streaming MIME structure parser: bytes in, in chunks of any size, a
// tree of MimePart out. Pure (no I/O); memory bounded by MimeLimits, not by
// the message's size. Boundaries are found as Dovecot finds them: a line
// starting with "--" and the boundary of any open multipart, innermost first
// (text after it on the line is ignored); the line break before a boundary
// belongs to the boundary (RFC 2046); a missing close delimiter ends the
// parts at the end of the enclosing part; a closed multipart's boundary no
// longer matches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"
#include "mime/part.hpp"

namespace mail {

struct MimeLimits {
    unsigned max_depth = 100;             // nested multiparts and messages; deeper ones become leaves
    size_t max_parts = 10000;             // parts in all; further boundaries are ignored
    size_t max_field = 64 * 1024;         // bytes kept of one MIME header field
    size_t max_embedded_header = 256 * 1024;  // bytes of a message/rfc822 header kept for ENVELOPE
};

class MimeParser {
public:
    explicit MimeParser(MimeLimits limits = {});
    ~MimeParser();
    MimeParser(const MimeParser&) = delete;
    MimeParser& operator=(const MimeParser&) = delete;

    void feed(std::string_view chunk);
    // Ends the message and returns its top part; the parser is spent.
    MimePart finish();

private:
    struct Frame;
    struct Line;

    void dispatch_line(const Line& line);
    bool match_boundary(const Line& line);
    void header_line(Frame& f, const Line& line);
    void end_header(Frame& f, uint64_t stored_end, uint64_t imap_end, uint64_t lf_count);
    void flush_field(Frame& f);
    void push_frame(uint64_t stored, uint64_t imap, bool embedded, bool digest_child);
    void pop_frame_at_boundary(const Line& line);
    void pop_frame(uint64_t stored_end, uint64_t imap_end, uint64_t lf_count);
    size_t line_cap() const;

    MimeLimits limits_;
    std::vector<Frame> stack_;
    std::string line_;         // the current line's first bytes (up to line_cap())
    uint64_t line_len_ = 0;    // its full length so far
    char last_byte_ = 0;       // its last byte, even when not kept
    uint64_t stored_pos_ = 0;  // where the current line starts
    uint64_t imap_pos_ = 0;
    uint64_t lf_count_ = 0;    // LFs before the current line
    unsigned prev_nl_ = 0;     // the previous line's line-break length (stored)
    bool prev_was_boundary_ = false;  // the previous line was a boundary line
    size_t parts_ = 0;
    bool boundaries_enabled_ = true;
    bool finished_ = false;
};

// Parses a message as stored, reading it in 64 KB chunks.
MimePart parse_message(const MessageContent& message, MimeLimits limits = {});
// Parses a message held in memory.
MimePart parse_message(std::string_view message, MimeLimits limits = {});

}  // namespace mail
