// Conversion of text in a MIME charset to UTF-8, through glibc's iconv.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mail {

// Whether iconv knows `charset` (case-insensitive MIME name, "utf-8",
// "ISO-8859-1", "windows-1252"...).
bool charset_known(std::string_view charset);

// `bytes` in `charset`, as UTF-8. Invalid or incomplete sequences become
// U+FFFD. Nothing when the charset is unknown.
std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes);

// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD (as Dovecot
// treats raw 8-bit header text and text in unknown charsets).
std::string sanitize_utf8(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

}  // namespace mail
