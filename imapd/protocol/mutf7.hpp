// Modified UTF-7 mailbox names (RFC 3501 5.1.3): printable ASCII stands for
// itself, "&" is "&-", anything else is "&" + modified base64 of UTF-16 + "-".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mail::imapd {

// UTF-8 to modified UTF-7. Returns nullopt if utf8 is not valid UTF-8.
std::optional<std::string> mutf7_encode(std::string_view utf8);
// Modified UTF-7 to UTF-8. Returns nullopt if the name is not valid modified
// UTF-7 (raw 8-bit or control bytes, bad base64, non-zero padding bits,
// encoded printable ASCII, "&" not followed by "-", broken surrogates).
std::optional<std::string> mutf7_decode(std::string_view mutf7);
inline bool mutf7_valid(std::string_view name) { return mutf7_decode(name).has_value(); }

}  // namespace mail::imapd
