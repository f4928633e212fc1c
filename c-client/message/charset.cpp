#include "message/charset.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstddef>

namespace mail {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return len;
}

bool is_utf8_name(std::string_view cs) {
    auto lower = [](std::string_view s) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        return out;
    };
    std::string l = lower(cs);
    return l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii";
}

// An iconv descriptor that closes itself.
class Iconv {
public:
    explicit Iconv(std::string_view from) : cd_(iconv_open("UTF-8", std::string(from).c_str())) {}
    ~Iconv() {
        if (ok()) iconv_close(cd_);
    }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
    iconv_t get() const { return cd_; }

private:
    iconv_t cd_;
};

}  // namespace

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

bool charset_known(std::string_view charset) {
    if (is_utf8_name(charset)) return true;
    if (charset.empty() || charset.find('\0') != std::string_view::npos) return false;
    return Iconv(charset).ok();
}

std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes) {
    if (is_utf8_name(charset)) return sanitize_utf8(bytes);
    if (charset.empty() || charset.find('\0') != std::string_view::npos) return std::nullopt;
    Iconv cd(charset);
    if (!cd.ok()) return std::nullopt;
    std::string out;
    char buf[4096];
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    while (in_left > 0) {
        char* o = buf;
        std::size_t o_left = sizeof buf;
        std::size_t r = iconv(cd.get(), &in, &in_left, &o, &o_left);
        out.append(buf, std::size_t(o - buf));
        if (r != static_cast<std::size_t>(-1)) continue;
        if (errno == E2BIG) continue;
        // EILSEQ (invalid byte) or EINVAL (truncated sequence at the end).
        out += kReplacement;
        ++in;
        --in_left;
        iconv(cd.get(), nullptr, nullptr, nullptr, nullptr);
    }
    // Flush any shift state (ISO-2022-JP and friends).
    char* o = buf;
    std::size_t o_left = sizeof buf;
    iconv(cd.get(), nullptr, nullptr, &o, &o_left);
    out.append(buf, std::size_t(o - buf));
    return out;
}

}  // namespace mail
