#include "drivers/maildir/filename.hpp"

#include <algorithm>
#include <charconv>

#include "mailbox/types.hpp"

namespace mail::maildir {

namespace {

std::optional<uint64_t> parse_number(std::string_view s) {
    uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

uint32_t flag_of(char c) {
    switch (c) {
    case 'D': return kDraft;
    case 'F': return kFlagged;
    case 'R': return kAnswered;
    case 'S': return kSeen;
    case 'T': return kDeleted;
    default: return 0;
    }
}

}  // namespace

FileName parse_file_name(std::string_view name) {
    FileName out;
    size_t colon = name.find(':');
    out.base = name.substr(0, colon);
    // ,S= and ,W= fields after the unique part of the base name.
    size_t pos = out.base.find(',');
    while (pos != std::string_view::npos) {
        size_t next = out.base.find(',', pos + 1);
        std::string_view field = out.base.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
        if (field.size() > 2 && field[1] == '=') {
            if (field[0] == 'S') out.size = parse_number(field.substr(2));
            if (field[0] == 'W') out.vsize = parse_number(field.substr(2));
        }
        pos = next;
    }
    if (colon == std::string_view::npos) return out;
    std::string_view info = name.substr(colon + 1);
    if (info.size() < 2 || info[0] != '2' || info[1] != ',') return out;  // unknown info: no flags
    for (char c : info.substr(2)) {
        if (uint32_t f = flag_of(c)) {
            out.flags |= f;
        } else if (c >= 'a' && c <= 'z') {
            out.keyword_letters |= 1u << (c - 'a');
        } else if (out.other.find(c) == std::string::npos) {
            out.other += c;
        }
    }
    return out;
}

std::string flags_suffix(uint32_t flags, uint32_t keyword_letters, std::string_view other) {
    std::string s(other);
    if (flags & kDraft) s += 'D';
    if (flags & kFlagged) s += 'F';
    if (flags & kAnswered) s += 'R';
    if (flags & kSeen) s += 'S';
    if (flags & kDeleted) s += 'T';
    for (int i = 0; i < 26; ++i)
        if (keyword_letters & (1u << i)) s += static_cast<char>('a' + i);
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

std::string file_name(std::string_view base, uint32_t flags, uint32_t keyword_letters,
                      std::string_view other) {
    std::string s(base);
    s += ":2,";
    s += flags_suffix(flags, keyword_letters, other);
    return s;
}

std::string unique_base(int64_t sec, long usec, long pid, unsigned counter, std::string_view host,
                        uint64_t size, uint64_t vsize) {
    std::string s = std::to_string(sec) + ".M" + std::to_string(usec) + "P" + std::to_string(pid);
    if (counter > 0) s += "Q" + std::to_string(counter);
    s += '.';
    // The maildir spec's escapes for the characters that mean something in a name.
    for (char c : host) {
        if (c == '/') s += "\\057";
        else if (c == ':') s += "\\072";
        else if (c == ',') s += "\\054";
        else s += c;
    }
    s += ",S=" + std::to_string(size) + ",W=" + std::to_string(vsize);
    return s;
}

}  // namespace mail::maildir
