// FETCH's body data: a section of a message sent as a literal, streamed from
// the file in chunks so that a 1 GB part costs no more memory than a small one.
#pragma once

#include <cstdint>
#include <optional>

#include "imapd/protocol/fetch_request.hpp"
#include "mailbox/types.hpp"
#include "mime/part.hpp"
#include "mime/section.hpp"

namespace mail::imapd {

class Session;

// The library's form of a parsed section spec.
mail::SectionSpec library_section(const SectionSpec& spec);

// Writes "{n}\r\n" and the bytes of `section` of the message (its MIME
// structure `top`, its stored bytes `content`), <partial> applied. A part
// that does not exist is sent as an empty literal, as Dovecot does.
// HEADER.FIELDS[.NOT] of a header larger than kMaxFilteredHeader is
// filtered over its first kMaxFilteredHeader bytes only.
void write_section_literal(Session& session, const MessageContent& content, const MimePart& top,
                           const SectionSpec& section, const std::optional<Partial>& partial);

constexpr uint64_t kMaxFilteredHeader = 1 << 20;

}  // namespace mail::imapd
