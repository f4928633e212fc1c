#include "search/text_matcher.hpp"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

namespace mail {

namespace {

locale_t utf8_ctype() {
    static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return loc;
}

void put_utf8(char32_t c, std::string& out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Simple case folding: lower(upper(c)) folds the special cases too
// (final sigma, long s, the Kelvin sign).
char32_t fold(char32_t c) {
    locale_t loc = utf8_ctype();
    if (!loc) return c;
    return static_cast<char32_t>(towlower_l(towupper_l(static_cast<wint_t>(c), loc), loc));
}

}  // namespace

void fold_case(std::string_view s, std::string& out) {
    out.reserve(out.size() + s.size());
    for (size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
            ++i;
            continue;
        }
        size_t len = b >= 0xF8 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        bool whole = len > 1 && i + len <= s.size();
        for (size_t k = 1; whole && k < len; ++k) whole = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (!whole) {  // not UTF-8: kept as it is
            out += static_cast<char>(b);
            ++i;
            continue;
        }
        char32_t c = b & (0x7F >> len);
        for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        put_utf8(fold(c), out);
        i += len;
    }
}

std::string fold_case(std::string_view utf8) {
    std::string out;
    fold_case(utf8, out);
    return out;
}

TextMatcher::TextMatcher(const std::vector<std::string>& needles) {
    for (const std::string& n : needles) {
        needles_.push_back(fold_case(n));
        longest_ = std::max(longest_, needles_.back().size());
        found_.push_back(needles_.back().empty());
        if (!found_.back()) ++remaining_;
    }
}

void TextMatcher::feed(std::string_view utf8) {
    if (remaining_ == 0 || utf8.empty()) return;
    buffer_ = tail_;
    fold_case(utf8, buffer_);
    for (size_t i = 0; i < needles_.size(); ++i) {
        if (found_[i] || buffer_.find(needles_[i]) == std::string::npos) continue;
        found_[i] = true;
        --remaining_;
    }
    size_t keep = std::min(buffer_.size(), longest_ - 1);
    tail_.assign(buffer_, buffer_.size() - keep, keep);
}

}  // namespace mail
