// FETCH BODY[section] (RFC 3501 6.4.5): parsing a section spec and finding
// the stored range it names in a parsed message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/part.hpp"

namespace mail {

enum class SectionText { Whole, Header, HeaderFields, HeaderFieldsNot, Text, Mime };

struct SectionSpec {
    std::vector<unsigned> path;  // 1.2.3; empty for the whole message
    SectionText text = SectionText::Whole;
    std::vector<std::string> fields;  // for HEADER.FIELDS (.NOT)
};

// Parses what stands between the brackets: "", "1.2", "HEADER",
// "1.MIME", "2.HEADER.FIELDS (From To)". nullopt when malformed.
std::optional<SectionSpec> parse_section(std::string_view spec);

// The stored bytes a section names; imap_length is exact unless the header
// is to be filtered (then the caller reads it with read_section()).
struct SectionRange {
    uint64_t stored_offset = 0;
    uint64_t stored_length = 0;
    uint64_t imap_length = 0;
    bool filter = false;   // HEADER.FIELDS or HEADER.FIELDS.NOT
    bool exclude = false;  // .NOT
    std::vector<std::string> fields;
};

// The part a non-empty section path names, as Dovecot reads paths: a
// number picks a multipart's child; a number after a message/rfc822 part
// picks from the embedded message; "1" of a part that is not multipart
// (a message's single body, or a leaf part: "2.1" is "2", "2.1.MIME" is
// "2.MIME") names that part, and must end the path unless the part is a
// message/rfc822 ("1.1" of a text/plain message names nothing). nullptr
// when there is no such part.
const MimePart* find_part(const MimePart& top, const std::vector<unsigned>& path);

// nullopt when the part does not exist. BODY[1] of a non-multipart message
// is its body; BODY[n] of a message/rfc822 part is the whole embedded
// message; HEADER and TEXT of a part that is not message/rfc822 are empty.
std::optional<SectionRange> resolve_section(const MimePart& top, const SectionSpec& spec);

}  // namespace mail
