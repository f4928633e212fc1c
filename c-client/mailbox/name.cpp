#include "mailbox/name.hpp"

#include <cctype>
#include <vector>

#include "util/error.hpp"

namespace mail {

namespace {

[[noreturn]] void invalid(const std::string& why) {
    throw MailError(ErrorKind::Invalid, "invalid mailbox name: " + why);
}

bool is_inbox_prefix(std::string_view name) {
    if (name.size() < 5) return false;
    for (size_t i = 0; i < 5; ++i)
        if (std::toupper(static_cast<unsigned char>(name[i])) != "INBOX"[i]) return false;
    return name.size() == 5 || name[5] == kHierarchySeparator;
}

bool valid_mutf7(std::string_view name) {
    for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '&') continue;
        size_t j = i + 1;
        while (j < name.size() && (std::isalnum(static_cast<unsigned char>(name[j])) || name[j] == '+' || name[j] == ','))
            ++j;
        if (j == name.size() || name[j] != '-') return false;
        i = j;
    }
    return true;
}

// Dynamic programming over (pattern position, name position): linear in
// their product, whatever the wildcards (no backtracking blow-up).
bool match_from(std::string_view p, std::string_view n) {
    const size_t w = n.size() + 1;
    std::vector<char> next(w, 0), cur(w, 0);
    next[n.size()] = 1;  // empty pattern matches only the empty rest
    for (size_t i = p.size(); i-- > 0;) {
        char c = p[i];
        for (size_t j = n.size() + 1; j-- > 0;) {
            bool m;
            if (c == '*') m = next[j] || (j < n.size() && cur[j + 1]);
            else if (c == '%') m = next[j] || (j < n.size() && n[j] != kHierarchySeparator && cur[j + 1]);
            else m = j < n.size() && n[j] == c && next[j + 1];
            cur[j] = m;
        }
        std::swap(cur, next);
    }
    return next[0];
}

}  // namespace

void validate_mailbox_name(std::string_view name) {
    if (name.empty()) invalid("the name is empty");
    if (name.size() > kMaxMailboxNameBytes) invalid("the name is longer than 255 bytes");
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) invalid("the name contains a control character");
        if (c >= 0x80) invalid("the name contains 8-bit characters (use modified UTF-7)");
        if (c == '*' || c == '%') invalid("the name contains a wildcard character");
        if (c == '\\') invalid("the name contains a backslash");
    }
    if (name[0] == kHierarchySeparator) invalid("the name must not start with '/'");
    if (name[0] == '~') invalid("names starting with '~' are not allowed");
    size_t pos = 0;
    while (pos <= name.size()) {
        size_t end = name.find(kHierarchySeparator, pos);
        if (end == std::string_view::npos) end = name.size();
        std::string_view part = name.substr(pos, end - pos);
        if (part.empty()) {
            if (end == name.size() && pos > 0) break;  // one trailing separator is allowed
            invalid("the name has an empty level");
        }
        if (part == "." || part == "..") invalid("'.' and '..' are not allowed as levels");
        if (part[0] == '.') invalid("a level must not start with '.'");
        pos = end + 1;
    }
    if (!valid_mutf7(name)) invalid("the name is not valid modified UTF-7");
}

std::string canonical_mailbox_name(std::string_view name) {
    std::string out(name);
    if (out.size() > 1 && out.back() == kHierarchySeparator) out.pop_back();
    if (is_inbox_prefix(out))
        for (size_t i = 0; i < 5; ++i) out[i] = "INBOX"[i];
    return out;
}

bool list_match(std::string_view pattern, std::string_view name) {
    if (match_from(pattern, name)) return true;
    if (is_inbox_prefix(name)) {
        // INBOX is case-insensitive: fold the pattern's literal start ("inb*").
        std::string p(pattern), n(name);
        for (size_t i = 0; i < 5; ++i) n[i] = "INBOX"[i];
        for (size_t i = 0; i < 5 && i < p.size() && p[i] != '*' && p[i] != '%'; ++i)
            p[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[i])));
        return match_from(p, n);
    }
    return false;
}

}  // namespace mail
