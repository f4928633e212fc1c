#include "search/text_decoder.hpp"

#include <iconv.h>
#include <strings.h>

#include <cerrno>
#include <cstring>

#include "message/charset.hpp"

namespace mail {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxCarry = 16;  // longer undecidable input is not a character

int base64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// How many bytes at the end of `s` may be the start of a UTF-8 character
// that the next chunk completes.
size_t incomplete_utf8_tail(std::string_view s) {
    size_t n = s.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        auto c = static_cast<unsigned char>(s[n - back]);
        if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

}  // namespace

TransferDecoder::Encoding TransferDecoder::encoding_of(std::string_view cte) {
    auto is = [&](const char* name) {
        return cte.size() == strlen(name) && strncasecmp(cte.data(), name, cte.size()) == 0;
    };
    if (is("base64")) return Encoding::Base64;
    if (is("quoted-printable")) return Encoding::QuotedPrintable;
    return Encoding::Identity;
}

void TransferDecoder::feed(std::string_view in, std::string& out) {
    switch (encoding_) {
    case Encoding::Identity: out.append(in); break;
    case Encoding::Base64: feed_base64(in, out); break;
    case Encoding::QuotedPrintable: feed_qp(in, out); break;
    }
}

// Characters outside the alphabet (line breaks, junk) are skipped and '='
// padding ends nothing: decoding simply goes on, as Dovecot's does.
void TransferDecoder::feed_base64(std::string_view in, std::string& out) {
    for (char ch : in) {
        int v = base64_value(static_cast<unsigned char>(ch));
        if (v < 0) {
            if (ch == '=') bits_ = 0, quantum_ = 0;  // padding: drop the partial quantum
            continue;
        }
        quantum_ = (quantum_ << 6) | static_cast<unsigned>(v);
        bits_ += 6;
        if (bits_ >= 8) {
            bits_ -= 8;
            out += static_cast<char>((quantum_ >> bits_) & 0xFF);
            quantum_ &= (1u << bits_) - 1;
        }
    }
}

// RFC 2045 6.7: "=XX" is a byte, "=" at the end of a line (trailing blanks
// allowed) is a soft break, blanks at the end of a line are dropped. A
// malformed '=' is kept as it is.
void TransferDecoder::feed_qp(std::string_view in, std::string& out) {
    for (char ch : in) {
        if (pending_.empty()) {
            if (ch == '=' || is_blank(ch)) pending_ += ch;
            else out += ch;
            continue;
        }
        pending_ += ch;
        if (pending_[0] == '=') {
            // "=", then hex hex, or blanks then CR? LF.
            if (pending_.size() == 2 && hex_value(pending_[1]) >= 0) continue;
            if (pending_.size() == 3 && hex_value(pending_[1]) >= 0 && hex_value(pending_[2]) >= 0) {
                out += static_cast<char>(hex_value(pending_[1]) * 16 + hex_value(pending_[2]));
                pending_.clear();
                continue;
            }
            std::string_view rest = std::string_view(pending_).substr(1);
            size_t blanks = 0;
            while (blanks < rest.size() && is_blank(rest[blanks])) ++blanks;
            std::string_view after = rest.substr(blanks);
            if (after == "\n" || after == "\r\n") { pending_.clear(); continue; }  // soft break
            if ((after.empty() || after == "\r") && pending_.size() < kMaxCarry) continue;
            // Not an escape: keep the '=' and decode the rest again.
            std::string again = pending_.substr(1);
            pending_.clear();
            out += '=';
            feed_qp(again, out);
            continue;
        }
        // Blanks: dropped before a line break, kept otherwise.
        pending_.pop_back();
        if (is_blank(ch) && pending_.size() + 1 < kMaxCarry) {
            pending_ += ch;
        } else if (ch == '\r' || ch == '\n') {
            pending_.clear();
            out += ch;
        } else {
            out += pending_;
            pending_.clear();
            feed_qp(std::string_view(&ch, 1), out);
        }
    }
}

void TransferDecoder::finish(std::string& out) {
    if (encoding_ == Encoding::QuotedPrintable && !pending_.empty() && pending_[0] == '=') {
        // "=X" or "=" at the very end: kept as written (blanks are dropped).
        std::string_view rest = std::string_view(pending_).substr(1);
        bool soft = true;
        for (char c : rest) soft = soft && (is_blank(c) || c == '\r');
        if (!soft) out += pending_;
    }
    pending_.clear();
    quantum_ = 0;
    bits_ = 0;
}

Utf8Converter::Utf8Converter(std::string_view charset) {
    std::string name(charset);
    if (name.empty() || name.find('\0') != std::string::npos || strcasecmp(name.c_str(), "utf-8") == 0 ||
        strcasecmp(name.c_str(), "utf8") == 0 || strcasecmp(name.c_str(), "us-ascii") == 0)
        return;
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1)) cd_ = cd;
}

Utf8Converter::~Utf8Converter() {
    if (cd_) iconv_close(static_cast<iconv_t>(cd_));
}

void Utf8Converter::feed(std::string_view in, std::string& out) {
    std::string data = carry_;
    data.append(in);
    carry_.clear();
    if (!cd_) {
        size_t keep = incomplete_utf8_tail(data);
        out += sanitize_utf8(std::string_view(data).substr(0, data.size() - keep));
        carry_ = data.substr(data.size() - keep);
        return;
    }
    auto cd = static_cast<iconv_t>(cd_);
    char buf[8192];
    char* src = data.data();
    size_t left = data.size();
    while (left > 0) {
        char* dst = buf;
        size_t room = sizeof buf;
        size_t r = iconv(cd, &src, &left, &dst, &room);
        out.append(buf, static_cast<size_t>(dst - buf));
        if (r != static_cast<size_t>(-1) || errno == E2BIG) continue;
        if (errno == EINVAL && left < kMaxCarry) {  // a character split at the end
            carry_.assign(src, left);
            return;
        }
        out += kReplacement;  // EILSEQ: skip one byte
        ++src;
        --left;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
}

void Utf8Converter::finish(std::string& out) {
    if (!carry_.empty()) {
        if (cd_) out += kReplacement;
        else out += sanitize_utf8(carry_);
        carry_.clear();
    }
    if (cd_) {
        char buf[64];
        char* dst = buf;
        size_t room = sizeof buf;
        iconv(static_cast<iconv_t>(cd_), nullptr, nullptr, &dst, &room);
        out.append(buf, static_cast<size_t>(dst - buf));
    }
}

}  // namespace mail
