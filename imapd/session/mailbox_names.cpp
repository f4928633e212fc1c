#include "imapd/session/mailbox_names.hpp"

#include <algorithm>

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/mutf7.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/session.hpp"
#include "util/imap_string.hpp"

namespace mail::imapd {

namespace {

// RFC 6855 3: a quoted string may hold UTF-8; CR, LF and NUL still need a
// literal, and so does a very long name (as append_imap_string decides).
bool quotable_utf8(std::string_view s) {
    if (s.size() > 1024) return false;
    return std::none_of(s.begin(), s.end(), [](char c) {
        unsigned char u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

}  // namespace

std::string mailbox_name_from_wire(std::string_view name, bool utf8) {
    if (!utf8) return std::string(name);
    std::optional<std::string> encoded = mutf7_encode(name);
    if (!encoded) throw ParseError("Mailbox name is not valid UTF-8");
    return *std::move(encoded);
}

std::string mailbox_pattern_from_wire(std::string_view pattern, bool utf8) {
    // Wildcards and the separator are ASCII: the pattern is valid UTF-8
    // exactly when its modified UTF-7 encoding exists.
    if (utf8 && !mutf7_encode(pattern)) throw ParseError("Mailbox pattern is not valid UTF-8");
    return std::string(pattern);
}

std::string mailbox_name_to_wire(std::string_view stored, bool utf8) {
    if (!utf8) return std::string(stored);
    std::optional<std::string> decoded = mutf7_decode(stored);
    return decoded ? *std::move(decoded) : std::string(stored);
}

std::string mailbox_wire_astring(std::string_view stored, bool utf8) {
    std::string name = mailbox_name_to_wire(stored, utf8);
    bool eight_bit = std::any_of(name.begin(), name.end(), [](char c) { return c & 0x80; });
    if (!utf8 || !eight_bit || !quotable_utf8(name)) return mailbox_astring(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

bool utf8_names(const Session& session) { return session.enabled("UTF8=ACCEPT"); }

std::string name_from_client(const Session& session, std::string_view name) {
    return mailbox_name_from_wire(name, utf8_names(session));
}

std::string pattern_from_client(const Session& session, std::string_view pattern) {
    return mailbox_pattern_from_wire(pattern, utf8_names(session));
}

std::string name_to_client(const Session& session, std::string_view stored) {
    return mailbox_name_to_wire(stored, utf8_names(session));
}

std::string name_astring_to_client(const Session& session, std::string_view stored) {
    return mailbox_wire_astring(stored, utf8_names(session));
}

}  // namespace mail::imapd
