#include "drivers/mbx/format.hpp"

#include <cstdio>

#include "message/date.hpp"

namespace mail::mbx {

namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_hex(std::string_view s) {
    for (char c : s)
        if (!is_hex(c)) return false;
    return true;
}

uint32_t hex_value(std::string_view s) {
    uint32_t v = 0;
    for (char c : s) v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    return v;
}

}  // namespace

bool looks_like_mbx(std::string_view b) {
    return b.size() >= 25 && b.substr(0, 7) == "*mbx*\r\n" && all_hex(b.substr(7, 16)) && b[23] == '\r' &&
           b[24] == '\n';
}

std::optional<Header> parse_header(std::string_view b) {
    if (b.size() < kHeaderSize || !looks_like_mbx(b)) return std::nullopt;
    b = b.substr(0, kHeaderSize);
    Header h;
    h.uidvalidity = hex_value(b.substr(7, 8));
    h.last_uid = hex_value(b.substr(15, 8));
    // Keyword lines up to the first empty one, as mbx_parse reads them.
    size_t pos = 25;
    while (h.keywords.size() < kMaxKeywords) {
        size_t cr = b.find('\r', pos);
        if (cr == std::string_view::npos || cr == pos) break;
        std::string_view name = b.substr(pos, cr - pos);
        if (name.find('\0') != std::string_view::npos) break;
        h.keywords.emplace_back(name.size() <= kMaxKeywordLength ? std::string(name) : std::string());
        pos = cr + 2;
    }
    std::string_view pid = b.substr(kHeaderSize - 10);
    if (all_hex(pid.substr(0, 8)) && pid[8] == '\r' && pid[9] == '\n') h.last_pid = hex_value(pid.substr(0, 8));
    return h;
}

std::string format_header(const Header& h) {
    std::string out(kHeaderSize, '\0');
    char buf[32];
    std::snprintf(buf, sizeof buf, "*mbx*\r\n%08x%08x\r\n", h.uidvalidity, h.last_uid);
    std::string text = buf;
    size_t i = 0;
    for (; i < h.keywords.size() && i < kMaxKeywords && !h.keywords[i].empty(); ++i) text += h.keywords[i] + "\r\n";
    for (; i < kMaxKeywords; ++i) text += "\r\n";  // reserved lines
    out.replace(0, text.size(), text);
    std::snprintf(buf, sizeof buf, "%08x\r\n", h.last_pid);
    out.replace(kHeaderSize - 10, 10, buf);
    return out;
}

std::string format_new_header(Uid uidvalidity) {
    std::string out(kHeaderSize, '\0');
    char buf[32];
    std::snprintf(buf, sizeof buf, "*mbx*\r\n%08x00000000\r\n", uidvalidity);
    std::string text = buf;
    for (size_t i = 0; i < kMaxKeywords; ++i) text += "\r\n";
    out.replace(0, text.size(), text);
    return out;
}

LineStatus parse_message_line(std::string_view bytes, MessageLine& out) {
    std::string_view b = bytes.substr(0, kMaxLineLength);
    size_t cr = b.find('\r');
    if (cr == std::string_view::npos && b.find('\n') != std::string_view::npos) return LineStatus::Malformed;
    if (cr == std::string_view::npos || cr + 1 >= b.size())
        return bytes.size() >= kMaxLineLength ? LineStatus::Malformed : LineStatus::Incomplete;
    if (b[cr + 1] != '\n') return LineStatus::Malformed;
    std::string_view line = b.substr(0, cr);
    size_t comma = line.find(',');
    if (comma == std::string_view::npos) return LineStatus::Malformed;
    size_t semi = line.find(';', comma + 1);
    // ";" then 12 hex, "-", 8 hex, and the line ends there.
    if (semi == std::string_view::npos || line.size() != semi + 22) return LineStatus::Malformed;
    std::string_view status = line.substr(semi + 1);
    if (!all_hex(status.substr(0, 12)) || status[12] != '-' || !all_hex(status.substr(13, 8)))
        return LineStatus::Malformed;
    std::string_view size = line.substr(comma + 1, semi - comma - 1);
    if (size.empty() || size.size() > 19) return LineStatus::Malformed;
    uint64_t n = 0;
    for (char c : size) {
        if (c < '0' || c > '9') return LineStatus::Malformed;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    auto date = parse_imap_datetime(line.substr(0, comma));
    if (!date) return LineStatus::Malformed;
    out.internal_date = date->utc;
    out.zone_minutes = date->zone_minutes;
    out.size = n;
    out.keywords = hex_value(status.substr(0, 8));
    out.flags = hex_value(status.substr(8, 4));
    out.uid = hex_value(status.substr(13, 8));
    out.length = cr + 2;
    return LineStatus::Ok;
}

std::string format_message_line(const MessageLine& m) {
    std::string date = format_imap_datetime(DateTime{m.internal_date, m.zone_minutes});
    char buf[96];
    std::snprintf(buf, sizeof buf, ",%llu;", static_cast<unsigned long long>(m.size));
    return date + buf + format_status(m.keywords, m.flags, m.uid) + "\r\n";
}

std::string format_status(uint32_t keywords, uint32_t flags, Uid uid) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08x%04x-%08x", keywords, flags & 0xffff, uid);
    return buf;
}

bool parse_status(std::string_view b, uint32_t& keywords, uint32_t& flags) {
    if (b.size() < 14 || b[0] != ';' || b[13] != '-' || !all_hex(b.substr(1, 12))) return false;
    keywords = hex_value(b.substr(1, 8));
    flags = hex_value(b.substr(9, 4));
    return true;
}

bool parse_full_status(std::string_view b, uint32_t& keywords, uint32_t& flags, Uid& uid) {
    if (b.size() < 24 || !parse_status(b, keywords, flags) || !all_hex(b.substr(14, 8)) || b[22] != '\r' ||
        b[23] != '\n')
        return false;
    uid = hex_value(b.substr(14, 8));
    return true;
}

uint32_t system_flags_from_uw(uint32_t uw) {
    uint32_t f = 0;
    if (uw & fSEEN) f |= kSeen;
    if (uw & fDELETED) f |= kDeleted;
    if (uw & fFLAGGED) f |= kFlagged;
    if (uw & fANSWERED) f |= kAnswered;
    if (uw & fDRAFT) f |= kDraft;
    return f;
}

uint32_t uw_from_system_flags(uint32_t f) {
    uint32_t uw = 0;
    if (f & kSeen) uw |= fSEEN;
    if (f & kDeleted) uw |= fDELETED;
    if (f & kFlagged) uw |= fFLAGGED;
    if (f & kAnswered) uw |= fANSWERED;
    if (f & kDraft) uw |= fDRAFT;
    return uw;
}

}  // namespace mail::mbx
