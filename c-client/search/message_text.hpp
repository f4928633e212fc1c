// The searchable text of a message (SEARCH BODY and TEXT): header fields
// decoded from RFC 2047, body parts decoded from their transfer encoding and
// charset, streamed through TextMatchers in bounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mailbox/types.hpp"
#include "search/text_matcher.hpp"

namespace mail {

// How much of a header block is read for searching; fields beyond are not
// seen (memory stays bounded however large a header is).
inline constexpr size_t kMaxSearchedHeader = 1024 * 1024;

// The message's header block (up to and including the blank line, or the
// first kMaxSearchedHeader bytes), as stored.
std::string read_header(const MessageContent& content);

// Feeds every field of a header block to `m` as "Name: value\n", the value
// unfolded and RFC 2047 decoded.
void feed_header_text(std::string_view header, TextMatcher& m);

// Streams the message's body text: every text/* and message/* leaf part
// (other types are attachments, not searched, as Dovecot does) decoded from
// its Content-Transfer-Encoding and charset, into `body` and `text`; the
// MIME headers of the parts and of embedded messages go to `text` only.
// The top-level header is not fed (the caller has it). Either matcher may be
// null. Stops early once every needle has been found.
void scan_body_text(const MessageContent& content, TextMatcher* body, TextMatcher* text);

}  // namespace mail
