// RFC 2047 encoded words in header text, decoded to UTF-8. Pure, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace mail {

// Decodes the encoded words (=?charset?B?...?= and =?charset?Q?...?=,
// RFC 2231 language suffix "charset*lang" accepted) in an unfolded header
// value and returns UTF-8. Whitespace between two adjacent encoded words is
// dropped; malformed words are left as they are; text outside encoded
// words, and words in unknown charsets, are kept with invalid UTF-8
// sequences replaced by U+FFFD, as Dovecot does for SEARCH and SORT.
std::string decode_rfc2047(std::string_view text);

}  // namespace mail
