#include "sort/base_subject.hpp"

#include "message/rfc2047.hpp"

namespace mail {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool lower_is(char c, char lower) { return c == lower || c == lower - 'a' + 'A'; }

// Step (1): tabs, line breaks and runs of blanks become one space.
std::string collapse(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    if (space && !out.empty()) out += ' ';
    return out;
}

void skip_wsp(std::string_view s, size_t& i) {
    while (i < s.size() && is_wsp(s[i])) ++i;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; the end of the blob at i, or npos.
size_t blob_end(std::string_view s, size_t i) {
    if (i >= s.size() || s[i] != '[') return std::string_view::npos;
    for (size_t j = i + 1; j < s.size(); ++j) {
        if (s[j] == '[') return std::string_view::npos;
        if (s[j] == ']') {
            ++j;
            skip_wsp(s, j);
            return j;
        }
    }
    return std::string_view::npos;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; its end or npos.
size_t refwd_end(std::string_view s, size_t i) {
    size_t j = i;
    if (j + 1 < s.size() && lower_is(s[j], 'r') && lower_is(s[j + 1], 'e')) {
        j += 2;
    } else if (j + 1 < s.size() && lower_is(s[j], 'f') && lower_is(s[j + 1], 'w')) {
        j += 2;
        if (j < s.size() && lower_is(s[j], 'd')) ++j;
    } else {
        return std::string_view::npos;
    }
    skip_wsp(s, j);
    if (size_t b = blob_end(s, j); b != std::string_view::npos) j = b;
    if (j < s.size() && s[j] == ':') return j + 1;
    return std::string_view::npos;
}

// subj-leader = (*subj-blob subj-refwd) / WSP, at the start of s.
size_t leader_end(std::string_view s) {
    if (!s.empty() && is_wsp(s[0])) return 1;
    size_t i = 0;
    for (;;) {
        if (size_t r = refwd_end(s, i); r != std::string_view::npos) return r;
        size_t b = blob_end(s, i);
        if (b == std::string_view::npos) return 0;
        i = b;
    }
}

bool ends_with_fwd_trailer(std::string_view s) {
    if (s.size() < 5) return false;
    std::string_view t = s.substr(s.size() - 5);
    return t[0] == '(' && lower_is(t[1], 'f') && lower_is(t[2], 'w') && lower_is(t[3], 'd') && t[4] == ')';
}

}  // namespace

BaseSubject base_subject_of_text(std::string_view utf8) {
    BaseSubject out;
    std::string s = collapse(utf8);
    for (;;) {
        // (2) subj-trailer = "(fwd)" / WSP, repeatedly.
        for (;;) {
            if (!s.empty() && is_wsp(s.back())) {
                s.pop_back();
            } else if (ends_with_fwd_trailer(s)) {
                s.resize(s.size() - 5);
                out.reply_or_forward = true;
            } else {
                break;
            }
        }
        // (3)-(5): leaders, and a leading blob that is not the whole subject.
        for (bool changed = true; changed;) {
            changed = false;
            while (size_t n = leader_end(s)) {
                if (n > 1 || !is_wsp(s[0])) out.reply_or_forward = true;
                s.erase(0, n);
                changed = true;
            }
            size_t b = blob_end(s, 0);
            if (b != std::string_view::npos && b < s.size()) {
                s.erase(0, b);
                changed = true;
            }
        }
        // (6) "[fwd:" ... "]" around the whole subject.
        if (s.size() >= 6 && s[0] == '[' && lower_is(s[1], 'f') && lower_is(s[2], 'w') &&
            lower_is(s[3], 'd') && s[4] == ':' && s.back() == ']') {
            s = s.substr(5, s.size() - 6);
            out.reply_or_forward = true;
            continue;
        }
        break;
    }
    out.text = std::move(s);
    return out;
}

BaseSubject base_subject(std::string_view unfolded_subject) {
    return base_subject_of_text(decode_rfc2047(unfolded_subject));
}

}  // namespace mail
