// BODYSTRUCTURE and BODY (RFC 3501 7.4.2) of a parsed message, as Dovecot
// writes them: type and parameters as written in the message, the defaults
// "text" "plain" ("charset" "us-ascii") "7bit", "message" "rfc822" in lower
// case, a multipart without parts shown with one empty text/plain part.
#pragma once

#include <string>

#include "mime/part.hpp"

namespace mail {

// The parenthesised list that follows "BODYSTRUCTURE " (extensible = true,
// with md5, disposition, language and location) or "BODY " (false).
std::string body_structure(const MimePart& top, bool extensible);
void append_body_structure(std::string& out, const MimePart& part, bool extensible);

}  // namespace mail
