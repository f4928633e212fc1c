#include "mime/content_type.hpp"

#include <algorithm>
#include <strings.h>

namespace mail {
namespace {

bool is_tspecial(char c) {
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos;
}

bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && !is_tspecial(c);
}

// A cursor over a structured field value that skips white space and
// (nested) comments as RFC 5322's CFWS.
class Lexer {
public:
    explicit Lexer(std::string_view s) : s_(s) {}

    void skip_cfws() {
        while (pos_ < s_.size()) {
            char c = s_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos_;
            } else if (c == '(') {
                int depth = 0;
                while (pos_ < s_.size()) {
                    char d = s_[pos_++];
                    if (d == '\\') ++pos_;
                    else if (d == '(') ++depth;
                    else if (d == ')' && --depth == 0) break;
                }
            } else {
                break;
            }
        }
    }
    bool at_end() { return pos_ >= s_.size(); }
    char peek() { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool take(char c) {
        skip_cfws();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    std::string token() {
        skip_cfws();
        size_t start = pos_;
        while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
        return std::string(s_.substr(start, pos_ - start));
    }
    // A token or a quoted string (unescaped); true when it was quoted.
    bool value(std::string& out) {
        skip_cfws();
        out.clear();
        if (pos_ < s_.size() && s_[pos_] == '"') {
            ++pos_;
            while (pos_ < s_.size() && s_[pos_] != '"') {
                char c = s_[pos_++];
                if (c == '\\' && pos_ < s_.size()) c = s_[pos_++];
                if (c == '\r' || c == '\n') continue;
                out += c;
            }
            if (pos_ < s_.size()) ++pos_;
            return true;
        }
        size_t start = pos_;
        while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
        out.assign(s_.substr(start, pos_ - start));
        return false;
    }
    // Skips to just after the next ';' (error recovery); false at the end.
    bool skip_past_semicolon() {
        while (pos_ < s_.size() && s_[pos_] != ';') ++pos_;
        if (pos_ >= s_.size()) return false;
        ++pos_;
        return true;
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

// One parameter of the form key*N or key*N* or key* (RFC 2231).
struct Rfc2231Piece {
    std::string key;
    unsigned index = 0;
    bool extended = false;
    std::string value;
};

bool split_rfc2231(const std::string& key, const std::string& value, Rfc2231Piece& piece) {
    auto star = key.find('*');
    if (star == std::string::npos || star == 0) return false;
    size_t p = star + 1;
    unsigned index = 0;
    while (p < key.size() && key[p] >= '0' && key[p] <= '9') {
        if (index < 100000) index = index * 10 + static_cast<unsigned>(key[p] - '0');
        ++p;
    }
    bool extended = false;
    if (p < key.size() && key[p] == '*') {
        extended = true;
        ++p;
    } else if (p == star + 1) {
        extended = true;  // "key*": an extended value without continuations
    }
    if (p != key.size()) return false;
    piece = {key.substr(0, star), index, extended, value};
    return true;
}

// Percent-encodes what an extended value may not hold (RFC 2231 section 7:
// attribute-char), for plain segments merged into an extended value.
std::string percent_encode(std::string_view s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x80 && is_token_char(static_cast<char>(c)) && c != '*' && c != '\'' && c != '%') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Merges RFC 2231 continuations as Dovecot does: sorted by key and index;
// a key with missing indexes keeps its pieces as "key*N" or "key*N*".
void merge_rfc2231(std::vector<Rfc2231Piece>& pieces, MimeParams& out) {
    std::stable_sort(pieces.begin(), pieces.end(), [](const Rfc2231Piece& a, const Rfc2231Piece& b) {
        int c = strcasecmp(a.key.c_str(), b.key.c_str());
        return c != 0 ? c < 0 : a.index < b.index;
    });
    for (size_t i = 0, j; i < pieces.size(); i = j) {
        bool complete = true, extended = false;
        unsigned next = 0;
        for (j = i; j < pieces.size() && strcasecmp(pieces[j].key.c_str(), pieces[i].key.c_str()) == 0; ++j) {
            if (pieces[j].index != next) complete = false;
            extended = extended || pieces[j].extended;
            ++next;
        }
        if (!complete) {
            for (size_t k = i; k < j; ++k) {
                out.emplace_back(pieces[k].key + "*" + std::to_string(pieces[k].index) + (pieces[k].extended ? "*" : ""),
                                 pieces[k].value);
            }
            continue;
        }
        std::string value;
        for (size_t k = i; k < j; ++k)
            value += extended && !pieces[k].extended ? percent_encode(pieces[k].value) : pieces[k].value;
        out.emplace_back(pieces[i].key + (extended ? "*" : ""), std::move(value));
    }
}

// Parameters as Dovecot reads them: a value ends at white space (the rest up
// to ';' is ignored); an empty unquoted value counts only at the very end.
void parse_params(Lexer& lex, MimeParams& out) {
    std::vector<Rfc2231Piece> pieces;
    while (lex.skip_past_semicolon()) {
        std::string key = lex.token();
        if (!lex.take('=')) continue;
        std::string value;
        bool quoted = lex.value(value);
        lex.skip_cfws();
        if (key.empty() || (!quoted && value.empty() && !lex.at_end())) continue;  // RFC 2045: no parameter
        Rfc2231Piece piece;
        if (split_rfc2231(key, value, piece)) pieces.push_back(std::move(piece));
        else out.emplace_back(std::move(key), std::move(value));
    }
    merge_rfc2231(pieces, out);
}

}  // namespace

MimeValue parse_content_type(std::string_view value) {
    MimeValue v;
    Lexer lex(value);
    v.type = lex.token();
    bool valid = !v.type.empty() && lex.take('/');
    if (valid) {
        v.subtype = lex.token();
        lex.skip_cfws();
        valid = !v.subtype.empty() && (lex.at_end() || lex.peek() == ';');
    }
    // Invalid: RFC 2045 5.2 recommends the default text/plain (Dovecot shows
    // "" "" instead); the caller sees an empty type.
    if (!valid) return {};
    parse_params(lex, v.params);
    return v;
}

MimeValue parse_content_disposition(std::string_view value) {
    MimeValue v;
    Lexer lex(value);
    v.type = lex.token();
    parse_params(lex, v.params);
    return v;
}

std::vector<std::string> parse_content_language(std::string_view value) {
    std::vector<std::string> tags;
    Lexer lex(value);
    while (true) {
        std::string tag = lex.token();
        if (!tag.empty()) tags.push_back(std::move(tag));
        if (!lex.take(',')) break;
    }
    return tags;
}

std::string parse_token_value(std::string_view value) {
    Lexer lex(value);
    std::string token = lex.token();
    return token.empty() ? unfold_value(value) : token;
}

std::string unfold_value(std::string_view value) {
    std::string out;
    for (char c : value)
        if (c != '\r' && c != '\n') out += c;
    auto first = out.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    auto last = out.find_last_not_of(" \t");
    return out.substr(first, last - first + 1);
}

}  // namespace mail
