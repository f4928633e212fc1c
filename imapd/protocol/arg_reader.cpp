#include "imapd/protocol/arg_reader.hpp"

#include <strings.h>

#include "imapd/protocol/parse_error.hpp"
#include "mailbox/types.hpp"

namespace mail::imapd {

bool is_atom_char(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
        return false;
    default:
        return true;
    }
}

bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }

ArgReader::ArgReader(std::string_view text, size_t pos, const ParserLimits& limits)
    : text_(text), pos_(pos), limits_(limits) {}

bool ArgReader::at_end() const {
    return pos_ >= text_.size() || text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
}

void ArgReader::end() const {
    if (!at_end()) throw ParseError("Unexpected extra arguments");
}

void ArgReader::sp() {
    if (peek() != ' ') throw ParseError(at_end() ? "Missing arguments" : "Expected a space");
    ++pos_;
}

bool ArgReader::try_sp() { return try_char(' '); }

void ArgReader::expect(char c) {
    if (peek() != c) throw ParseError(std::string("Expected \"") + c + "\"");
    ++pos_;
}

bool ArgReader::try_char(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
}

bool ArgReader::try_word(std::string_view word) {
    if (text_.size() - pos_ < word.size()) return false;
    if (strncasecmp(text_.data() + pos_, word.data(), word.size()) != 0) return false;
    size_t after = pos_ + word.size();
    if (after < text_.size() && is_atom_char(text_[after])) return false;
    pos_ = after;
    return true;
}

std::string ArgReader::atom() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_atom_char(text_[pos_])) ++pos_;
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected an atom");
    return std::string(text_.substr(start, pos_ - start));
}

std::string ArgReader::tag() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_astring_char(text_[pos_]) && text_[pos_] != '+') ++pos_;
    if (pos_ == start) throw ParseError("Invalid tag");
    return std::string(text_.substr(start, pos_ - start));
}

std::string ArgReader::quoted() {
    expect('"');
    std::string out;
    for (;;) {
        if (pos_ >= text_.size()) throw ParseError("Unterminated quoted string");
        char c = text_[pos_++];
        if (c == '"') return out;
        if (c == '\r' || c == '\n' || c == '\0')
            throw ParseError("Invalid character in quoted string");
        if (c == '\\') {
            if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\\'))
                throw ParseError("Invalid escape in quoted string");
            c = text_[pos_++];
        }
        out += c;
    }
}

std::string ArgReader::literal() {
    expect('{');
    uint64_t n = 0;
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        uint64_t digit = static_cast<uint64_t>(text_[pos_++] - '0');
        if (n > (UINT64_MAX - digit) / 10) throw ParseError("Literal too large");
        n = n * 10 + digit;
    }
    if (pos_ == start) throw ParseError("Invalid literal length");
    try_char('+');
    expect('}');
    if (peek() == '\r') ++pos_;
    if (peek() != '\n') throw ParseError("Literal length not at the end of a line");
    ++pos_;
    if (n > text_.size() - pos_) throw ParseError("Literal data incomplete");
    std::string out(text_.substr(pos_, n));
    pos_ += n;
    return out;
}

std::string ArgReader::string() {
    if (peek() == '"') return quoted();
    if (peek() == '{') return literal();
    throw ParseError(at_end() ? "Missing arguments" : "Expected a string");
}

std::string ArgReader::astring() {
    if (peek() == '"' || peek() == '{') return string();
    size_t start = pos_;
    while (pos_ < text_.size() && is_astring_char(text_[pos_])) ++pos_;
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected a string");
    return std::string(text_.substr(start, pos_ - start));
}

std::optional<std::string> ArgReader::nstring() {
    if (try_word("NIL")) return std::nullopt;
    return string();
}

uint64_t ArgReader::number64() {
    size_t start = pos_;
    uint64_t n = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        uint64_t digit = static_cast<uint64_t>(text_[pos_++] - '0');
        if (n > (UINT64_MAX - digit) / 10) throw ParseError("Number too large");
        n = n * 10 + digit;
    }
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected a number");
    return n;
}

uint32_t ArgReader::number() {
    uint64_t n = number64();
    if (n > UINT32_MAX) throw ParseError("Number too large");
    return static_cast<uint32_t>(n);
}

uint32_t ArgReader::nz_number() {
    uint32_t n = number();
    if (n == 0) throw ParseError("Expected a non-zero number");
    return n;
}

std::string ArgReader::mailbox() {
    std::string name = astring();
    if (strcasecmp(name.c_str(), "INBOX") == 0) name = "INBOX";
    return name;
}

std::string ArgReader::list_mailbox() {
    if (peek() == '"' || peek() == '{') return string();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (is_astring_char(text_[pos_]) || text_[pos_] == '%' || text_[pos_] == '*'))
        ++pos_;
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected a mailbox pattern");
    return std::string(text_.substr(start, pos_ - start));
}

SequenceSet ArgReader::sequence_set() {
    size_t start = pos_;
    while (pos_ < text_.size() &&
           ((text_[pos_] >= '0' && text_[pos_] <= '9') || text_[pos_] == ':' ||
            text_[pos_] == ',' || text_[pos_] == '*' || text_[pos_] == '$'))
        ++pos_;
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected a sequence set");
    return SequenceSet::parse(text_.substr(start, pos_ - start));
}

void ArgReader::flag_into(FlagList& out) {
    count_item();
    if (try_char('\\')) {
        std::string name = atom();
        static constexpr struct {
            const char* name;
            uint32_t bit;
        } kSystem[] = {{"Seen", kSeen}, {"Answered", kAnswered}, {"Flagged", kFlagged},
                       {"Deleted", kDeleted}, {"Draft", kDraft}};
        for (const auto& f : kSystem) {
            if (strcasecmp(name.c_str(), f.name) == 0) {
                out.flags |= f.bit;
                return;
            }
        }
        throw ParseError("Invalid system flag \\" + name);
    }
    std::string keyword = atom();
    for (const auto& k : out.keywords)
        if (strcasecmp(k.c_str(), keyword.c_str()) == 0) return;
    out.keywords.push_back(std::move(keyword));
}

FlagList ArgReader::flag_list() {
    FlagList out;
    expect('(');
    if (try_char(')')) return out;
    for (;;) {
        flag_into(out);
        if (try_char(')')) return out;
        sp();
    }
}

FlagList ArgReader::flags_unparenthesised() {
    FlagList out;
    for (;;) {
        flag_into(out);
        if (!try_sp()) return out;
    }
}

int64_t ArgReader::date() {
    if (peek() == '"') return parse_date(quoted());
    size_t start = pos_;
    while (pos_ < text_.size() && is_atom_char(text_[pos_])) ++pos_;
    if (pos_ == start) throw ParseError(at_end() ? "Missing arguments" : "Expected a date");
    return parse_date(text_.substr(start, pos_ - start));
}

DateTime ArgReader::date_time() {
    if (peek() != '"') throw ParseError("Expected a quoted date-time");
    return parse_date_time(quoted());
}

void ArgReader::open_paren() {
    expect('(');
    if (++depth_ > limits_.max_depth) throw ParseError("Too deeply nested parentheses");
}

void ArgReader::close_paren() {
    expect(')');
    if (depth_ > 0) --depth_;
}

void ArgReader::count_item() {
    if (++items_ > limits_.max_items) throw ParseError("Too many arguments");
}

}  // namespace mail::imapd
