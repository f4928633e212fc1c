// RFC 5322 header fields: iterating, finding, unfolding. Pure, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mail {

// One header field. Both views point into the header buffer given to the
// parser. raw_value is everything after the colon up to the end of the
// field's last line, folding (CRLF or LF plus whitespace) kept, without the
// final line end.
struct HeaderField {
    std::string_view name;
    std::string_view raw_value;

    // raw_value with line breaks removed and the whitespace that starts the
    // first line skipped, as Dovecot and UW present field values.
    std::string unfolded() const;
};

// Walks the fields of a header block: LF or CRLF line ends, a missing final
// newline, 8-bit bytes and arbitrarily long lines are accepted; lines
// without a colon (and any continuation lines that follow them) are
// skipped, as Dovecot and UW do. Stops at the first empty line.
class HeaderParser {
public:
    explicit HeaderParser(std::string_view header) : rest_(header) {}
    // The next field, or nothing at the end of the header.
    std::optional<HeaderField> next();

private:
    std::string_view rest_;
    bool done_ = false;
};

std::vector<HeaderField> header_fields(std::string_view header);

// The first field called `name` (ASCII case-insensitive), if any.
std::optional<HeaderField> find_header_field(std::string_view header, std::string_view name);

// See HeaderField::unfolded.
std::string unfold_header_value(std::string_view raw_value);

// The value as SEARCH sees it, as Dovecot's header parser gives a field's
// full value: unfolded, and a TAB that starts a continuation line turned
// into a space ("a" CRLF TAB "b" is "a b", as ENVELOPE shows it).
std::string searchable_header_value(std::string_view raw_value);

// ASCII case-insensitive comparison of field names.
bool header_name_equals(std::string_view a, std::string_view b);

// Where the body starts in `message`: the offset just past the empty line
// that ends the header (LF or CRLF), or nothing when the buffer holds no
// empty line yet (the header is incomplete or the message has no body).
std::optional<std::size_t> find_header_end(std::string_view message);

}  // namespace mail
