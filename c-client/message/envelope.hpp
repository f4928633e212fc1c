// ENVELOPE (RFC 3501 7.4.2) of a message, from its header.
#pragma once

#include <string>
#include <string_view>

namespace mail {

// The IMAP ENVELOPE of a message whose header (the bytes up to and
// including the blank line, or the whole message) is `header`, as the
// parenthesised list that follows "ENVELOPE " in a FETCH response:
// (date subject from sender reply-to to cc bcc in-reply-to message-id).
// Pure: no I/O. Bytes that are not valid in a quoted string are sent as
// literals, as RFC 3501 requires.
std::string imap_envelope(std::string_view header);

}  // namespace mail
