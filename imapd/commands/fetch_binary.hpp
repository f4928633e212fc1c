// FETCH BINARY[section]<partial>, BINARY.PEEK and BINARY.SIZE (RFC 3516):
// a part's decoded body streamed as a literal, "~{n}" (literal8) when the
// bytes sent hold a NUL.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "imapd/protocol/fetch_request.hpp"
#include "mailbox/types.hpp"
#include "mime/part.hpp"

namespace mail::imapd {

class Session;

// Throws MailError "[UNKNOWN-CTE]" when a BINARY item names a part whose
// Content-Transfer-Encoding this server cannot decode (RFC 3516 4.3).
void check_binary_items(const MimePart& top, const std::vector<FetchItem>& items);

// Writes the literal of BINARY[section]<partial>; an empty one for a part
// that does not exist, as Dovecot answers. Two passes over the part: the first measures it.
void write_binary_literal(Session& session, const MessageContent& content, const MimePart& top,
                          const SectionSpec& section, const std::optional<Partial>& partial);

// BINARY.SIZE's value: the decoded size ("0" for a part that does not exist).
uint64_t binary_size(const MessageContent& content, const MimePart& top, const SectionSpec& section);

}  // namespace mail::imapd
