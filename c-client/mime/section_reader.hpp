// Reading a section for FETCH: stored bytes to IMAP's CRLF form, a
// <partial> window applied, in bounded memory; HEADER.FIELDS filtering.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"
#include "mime/section.hpp"

namespace mail {

// Appends `in` to `out` with every LF not preceded by CR sent as CRLF.
// `prev_cr` carries whether the previous chunk ended with CR.
void append_crlf(std::string& out, std::string_view in, bool& prev_cr);

// HEADER.FIELDS (exclude = false): the fields of `header` (stored bytes, LF
// or CRLF) whose names are in `names`, compared without case, followed by
// the blank line. HEADER.FIELDS.NOT (exclude = true): the header as
// BODY[HEADER] gives it (lines without a colon, the blank line only if there
// is one) less the named fields, as Dovecot answers. In CRLF form.
std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names, bool exclude);

// Streams a stored range as CRLF text, from CRLF offset `partial_offset`,
// at most `partial_length` bytes. Memory: two 64 KB buffers.
class SectionReader {
public:
    SectionReader(const MessageContent& content, uint64_t stored_offset, uint64_t stored_length,
                  uint64_t partial_offset = 0, std::optional<uint64_t> partial_length = std::nullopt);
    // The next bytes; empty at the end.
    std::string_view next();

private:
    const MessageContent& content_;
    uint64_t pos_, end_;
    uint64_t skip_;                     // CRLF bytes still to skip for <partial>
    std::optional<uint64_t> remaining_;  // CRLF bytes still to give
    bool prev_cr_ = false;
    std::vector<char> raw_;
    std::string out_;
};

// The whole section as CRLF text with <partial> applied: what FETCH sends.
// For header sections (small), and for tests; use SectionReader for bodies.
std::string read_section(const MessageContent& content, const SectionRange& range, uint64_t partial_offset = 0,
                         std::optional<uint64_t> partial_length = std::nullopt);

}  // namespace mail
