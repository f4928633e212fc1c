// Parsing the values of MIME header fields (RFC 2045, 2183, 2231): pure
// functions over the field's unfolded value.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mail {

using MimeParams = std::vector<std::pair<std::string, std::string>>;

// A Content-Type or Content-Disposition value: "type/subtype; a=b" or
// "inline; filename=x". For Content-Disposition, subtype stays empty.
struct MimeValue {
    std::string type;
    std::string subtype;
    MimeParams params;  // in Dovecot's order: plain ones first, then RFC 2231 merged ones
};

// Parses a Content-Type value. Case is kept as written (Dovecot does so).
MimeValue parse_content_type(std::string_view value);
// Parses a Content-Disposition value.
MimeValue parse_content_disposition(std::string_view value);
// Parses a Content-Language value into its comma-separated tags.
std::vector<std::string> parse_content_language(std::string_view value);
// The first token of a value such as Content-Transfer-Encoding, comments
// skipped ("(c) 8BIT" is "8BIT"); the unfolded value when there is none.
std::string parse_token_value(std::string_view value);
// Removes CR and LF of folded lines and the surrounding white space.
std::string unfold_value(std::string_view value);

}  // namespace mail
