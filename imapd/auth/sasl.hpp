// The pure parts of AUTHENTICATE (RFC 3501 6.2.2, RFC 4959 SASL-IR):
// base64 and the PLAIN message (RFC 4616).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mail::imapd {

// Strict base64 (RFC 4648, padding required); nullopt when malformed.
// "=" alone is the empty response (RFC 4959).
std::optional<std::string> sasl_base64_decode(std::string_view in);
std::string sasl_base64_encode(std::string_view in);

struct PlainCredentials {
    std::string authzid;  // empty: the same as authcid
    std::string authcid;
    std::string password;
};
// authzid NUL authcid NUL password; nullopt when malformed.
std::optional<PlainCredentials> parse_sasl_plain(std::string_view message);

}  // namespace mail::imapd
