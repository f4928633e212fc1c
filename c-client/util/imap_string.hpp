// Writing IMAP strings: quoted when possible, literal otherwise, NIL for none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mail {

// Appends s as an IMAP quoted string, or as a {n}CRLF literal when it holds
// CR, LF, NUL or 8-bit bytes or is very long.
void append_imap_string(std::string& out, std::string_view s);
// As above, NIL when there is no value.
void append_nstring(std::string& out, const std::optional<std::string>& s);

}  // namespace mail
