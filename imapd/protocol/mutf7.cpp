#include "imapd/protocol/mutf7.hpp"

#include <cstdint>
#include <vector>

namespace mail::imapd {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

bool printable_ascii(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

// Decodes one UTF-8 sequence at s[i]; advances i. Returns false if invalid.
bool next_code_point(std::string_view s, size_t& i, uint32_t& cp) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t min;
    if (c < 0x80) {
        cp = c;
        ++i;
        return true;
    } else if ((c & 0xe0) == 0xc0) {
        cp = c & 0x1f, extra = 1, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        cp = c & 0x0f, extra = 2, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        cp = c & 0x07, extra = 3, min = 0x10000;
    } else {
        return false;
    }
    if (i + static_cast<size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
        unsigned char d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
    return true;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void flush_base64(std::string& out, const std::vector<uint16_t>& units) {
    out += '&';
    uint32_t bits = 0;
    int nbits = 0;
    for (uint16_t u : units) {
        bits = (bits << 16) | u;
        nbits += 16;
        while (nbits >= 6) {
            nbits -= 6;
            out += kBase64[(bits >> nbits) & 0x3f];
        }
    }
    if (nbits > 0) out += kBase64[(bits << (6 - nbits)) & 0x3f];
    out += '-';
}

}  // namespace

std::optional<std::string> mutf7_encode(std::string_view utf8) {
    std::string out;
    std::vector<uint16_t> units;
    size_t i = 0;
    while (i < utf8.size()) {
        uint32_t cp;
        if (!next_code_point(utf8, i, cp)) return std::nullopt;
        if (printable_ascii(cp)) {
            if (!units.empty()) {
                flush_base64(out, units);
                units.clear();
            }
            if (cp == '&') out += "&-";
            else out += static_cast<char>(cp);
        } else if (cp >= 0x10000) {
            cp -= 0x10000;
            units.push_back(static_cast<uint16_t>(0xd800 | (cp >> 10)));
            units.push_back(static_cast<uint16_t>(0xdc00 | (cp & 0x3ff)));
        } else {
            units.push_back(static_cast<uint16_t>(cp));
        }
    }
    if (!units.empty()) flush_base64(out, units);
    return out;
}

std::optional<std::string> mutf7_decode(std::string_view s) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (!printable_ascii(c)) return std::nullopt;
        if (c != '&') {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        ++i;
        if (i < s.size() && s[i] == '-') {
            out += '&';
            ++i;
            continue;
        }
        uint32_t bits = 0;
        int nbits = 0;
        uint32_t high = 0;  // a pending high surrogate
        size_t units = 0;
        while (i < s.size() && s[i] != '-') {
            int v = base64_value(s[i]);
            if (v < 0) return std::nullopt;
            bits = (bits << 6) | static_cast<uint32_t>(v);
            nbits += 6;
            ++i;
            if (nbits >= 16) {
                nbits -= 16;
                uint32_t u = (bits >> nbits) & 0xffff;
                bits &= (1u << nbits) - 1;
                ++units;
                if (high) {
                    if (u < 0xdc00 || u > 0xdfff) return std::nullopt;
                    append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
                    high = 0;
                } else if (u >= 0xd800 && u <= 0xdbff) {
                    high = u;
                } else if (u >= 0xdc00 && u <= 0xdfff) {
                    return std::nullopt;
                } else if (printable_ascii(u)) {
                    return std::nullopt;  // must have been written directly
                } else {
                    append_utf8(out, u);
                }
            }
        }
        if (i >= s.size()) return std::nullopt;  // no closing "-"
        ++i;
        if (units == 0 || high || nbits >= 6 || bits != 0) return std::nullopt;
    }
    return out;
}

}  // namespace mail::imapd
