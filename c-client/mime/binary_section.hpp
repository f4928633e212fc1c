// BINARY[section] (RFC 3516): a part's body with its Content-Transfer-
// Encoding undone, streamed from the stored message in bounded memory.
// The decoders themselves are search/text_decoder.hpp's TransferDecoder
// (base64, quoted-printable), shared with SEARCH.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"
#include "mime/part.hpp"
#include "mime/section_reader.hpp"
#include "search/text_decoder.hpp"

namespace mail {

// Which decoding a Content-Transfer-Encoding needs: absent, 7bit, 8bit and
// binary are Identity; nullopt for an encoding this server cannot undo
// (x-uuencode...), which BINARY answers with [UNKNOWN-CTE].
std::optional<TransferDecoder::Encoding> binary_encoding(const std::optional<std::string>& cte);

// What BINARY[path] decodes: a stored range and how to decode it. The
// whole message (empty path), a multipart and a message/rfc822 part are
// sent as they are (Identity); a leaf part's body is decoded.
struct BinarySection {
    uint64_t stored_offset = 0;
    uint64_t stored_length = 0;
    TransferDecoder::Encoding encoding = TransferDecoder::Encoding::Identity;
    bool known_encoding = true;  // false: [UNKNOWN-CTE]
};

// nullopt when the part does not exist.
std::optional<BinarySection> resolve_binary_section(const MimePart& top, const std::vector<unsigned>& path);

// Streams a section's decoded bytes: the stored bytes in CRLF form
// (SectionReader) through the decoder. Memory: a few 64 KB buffers.
class DecodedReader {
public:
    DecodedReader(const MessageContent& content, const BinarySection& section);
    // The next decoded bytes; empty at the end.
    std::string_view next();

private:
    SectionReader reader_;
    TransferDecoder decoder_;
    std::string out_;
    bool done_ = false;
};

// One pass over the decoded section: its size, and whether the window
// [offset, offset + length) holds a NUL (then BINARY must send literal8).
struct DecodedExtent {
    uint64_t size = 0;
    bool nul_in_window = false;
};
DecodedExtent measure_decoded(const MessageContent& content, const BinarySection& section, uint64_t offset = 0,
                              uint64_t length = UINT64_MAX);

}  // namespace mail
