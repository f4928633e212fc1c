#include "util/imap_string.hpp"

namespace mail {

void append_imap_string(std::string& out, std::string_view s) {
    bool quotable = s.size() < 1024;
    for (unsigned char c : s) {
        if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) {
            quotable = false;
            break;
        }
    }
    if (!quotable) {
        out += '{';
        out += std::to_string(s.size());
        out += "}\r\n";
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

void append_nstring(std::string& out, const std::optional<std::string>& s) {
    if (s) append_imap_string(out, *s);
    else out += "NIL";
}

}  // namespace mail
