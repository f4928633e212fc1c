// The MIME structure of one message: a tree of parts with their ranges in
// the message as stored and as IMAP presents it (CRLF line ends).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mime/content_type.hpp"

namespace mail {

// A range in both coordinates: `stored` for reading the message's bytes as
// the driver keeps them, `imap` for what a client sees (every bare LF sent
// as CRLF): BODYSTRUCTURE sizes and <partial> offsets are in these terms.
struct DualRange {
    uint64_t stored_offset = 0;
    uint64_t stored_length = 0;
    uint64_t imap_offset = 0;
    uint64_t imap_length = 0;
};

struct MimePart {
    DualRange header;         // the header fields and the blank line after them
    DualRange body;           // everything after the blank line, to the part's end
    uint64_t body_lines = 0;  // LFs in the body, as BODYSTRUCTURE counts them

    // Content-Type as written; type and subtype empty when the field is
    // absent, in which case the default (text/plain, or message/rfc822 in a
    // multipart/digest) is in `type`/`subtype` and `content_type_given` is false.
    std::string type;
    std::string subtype;
    MimeParams params;
    bool content_type_given = false;

    std::optional<std::string> encoding;     // Content-Transfer-Encoding
    std::optional<std::string> id;           // Content-ID
    std::optional<std::string> description;  // Content-Description
    std::optional<std::string> md5;          // Content-MD5
    std::optional<std::string> location;     // Content-Location
    std::optional<MimeValue> disposition;    // Content-Disposition (type, params)
    std::vector<std::string> language;       // Content-Language tags

    std::vector<MimePart> children;    // the parts of a multipart
    std::unique_ptr<MimePart> message;  // the embedded message of a message/rfc822 part
    std::string envelope;               // its ENVELOPE, for a message/rfc822 part

    bool is_multipart() const;
    bool is_message_rfc822() const;
    bool is_text() const;
};

}  // namespace mail
