#include "message/rfc2047.hpp"

#include <optional>

#include "message/charset.hpp"

namespace mail {

namespace {

struct EncodedWord {
    std::string_view charset;  // without the RFC 2231 "*language"
    char encoding;             // 'B' or 'Q'
    std::string_view text;
    std::size_t length;  // of the whole "=?...?=" word
};

bool is_token_char(unsigned char c) {
    return c > ' ' && c < 0x7f && c != '?' && c != '=' && c != '(' && c != ')' && c != '"';
}

// The encoded word at the start of s, if s starts with a well-formed one.
std::optional<EncodedWord> parse_encoded_word(std::string_view s) {
    if (s.size() < 8 || s[0] != '=' || s[1] != '?') return std::nullopt;
    std::size_t q1 = s.find('?', 2);
    if (q1 == std::string_view::npos || q1 == 2 || q1 + 3 >= s.size() || s[q1 + 2] != '?')
        return std::nullopt;
    char enc = s[q1 + 1];
    if (enc == 'b') enc = 'B';
    if (enc == 'q') enc = 'Q';
    if (enc != 'B' && enc != 'Q') return std::nullopt;
    std::string_view charset = s.substr(2, q1 - 2);
    for (char c : charset)
        if (!is_token_char(static_cast<unsigned char>(c)) && c != '=') return std::nullopt;
    charset = charset.substr(0, charset.find('*'));
    if (charset.empty()) return std::nullopt;
    std::size_t text_start = q1 + 3;
    std::size_t end = s.find("?=", text_start);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view text = s.substr(text_start, end - text_start);
    for (unsigned char c : text)
        if (c <= ' ' || c >= 0x7f) return std::nullopt;
    return EncodedWord{charset, enc, text, end + 2};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string decode_q(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Lenient: characters outside the alphabet are skipped, padding optional.
std::string decode_b(std::string_view text) {
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        int v = base64_value(c);
        if (v < 0) continue;
        acc = (acc << 6) | unsigned(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xff);
        }
    }
    return out;
}

bool is_lwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string decode_rfc2047(std::string_view s) {
    std::string out;
    // Decoded bytes of consecutive words in one charset, converted together
    // so that a character split across two words survives.
    std::string pending;
    std::string pending_charset;
    auto flush = [&] {
        if (pending.empty()) return;
        auto utf8 = charset_to_utf8(pending_charset, pending);
        out += utf8 ? *utf8 : sanitize_utf8(pending);
        pending.clear();
    };
    std::size_t i = 0;
    std::size_t plain_start = 0;
    bool after_word = false;
    while (i < s.size()) {
        if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
            if (auto w = parse_encoded_word(s.substr(i))) {
                std::string_view between = s.substr(plain_start, i - plain_start);
                bool only_space = true;
                for (char c : between) only_space = only_space && is_lwsp(c);
                if (!(after_word && only_space)) {
                    flush();
                    out += sanitize_utf8(between);
                }
                if (pending_charset != w->charset) flush();
                pending_charset = std::string(w->charset);
                pending += w->encoding == 'B' ? decode_b(w->text) : decode_q(w->text);
                i += w->length;
                plain_start = i;
                after_word = true;
                continue;
            }
        }
        ++i;
    }
    flush();
    out += sanitize_utf8(s.substr(plain_start));
    return out;
}

}  // namespace mail
