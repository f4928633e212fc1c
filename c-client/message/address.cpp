#include "message/address.hpp"

#include <cstddef>

namespace mail {

namespace {

bool is_special(unsigned char c) {
    switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case ':': case ';':
    case '@': case '\\': case ',': case '.': case '"':
        return true;
    default:
        return false;
    }
}

// atext, plus 8-bit bytes (raw UTF-8 or Latin-1 headers are common).
bool is_atext(unsigned char c) { return c > ' ' && c != 0x7f && !is_special(c); }

// A recursive-descent parser over one field value, after Dovecot's
// message-address.c: each element is a group or a mailbox; a mailbox is a
// name-addr ("phrase <route:local@domain>") or an addr-spec.
class Parser {
public:
    explicit Parser(std::string_view s) : s_(s) {}

    std::vector<Address> parse_list() {
        while (!error_) {
            skip_cfws();
            if (at_end()) break;
            // A null member (",," or a leading comma) is no address (RFC 5322
            // 4.4). Dovecot invents a MISSING_MAILBOX placeholder for it.
            if (peek() == ',') {
                ++i_;
                continue;
            }
            parse_address();
            if (error_) break;
            skip_cfws();
            if (at_end() || peek() != ',') break;  // end, or trailing garbage
            ++i_;
        }
        return std::move(out_);
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
    bool error_ = false;
    std::optional<std::string> last_comment_;
    std::vector<Address> out_;

    bool at_end() const { return i_ >= s_.size(); }
    unsigned char peek() const { return static_cast<unsigned char>(s_[i_]); }

    // Whitespace and (nested (comments)); remembers the last comment's text.
    void skip_cfws() {
        while (!at_end()) {
            unsigned char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
            } else if (c == '(') {
                last_comment_ = parse_comment();
            } else {
                break;
            }
        }
    }

    std::string parse_comment() {
        std::string text;
        int depth = 0;
        while (!at_end()) {
            char c = s_[i_++];
            if (c == '\\' && !at_end()) {
                text += s_[i_++];
                continue;
            }
            if (c == '(') {
                if (depth++ > 0) text += c;
            } else if (c == ')') {
                if (--depth == 0) break;
                text += c;
            } else {
                text += c;
            }
        }
        return text;
    }

    // A quoted string at i_, unquoted; nothing when it is not closed.
    std::optional<std::string> parse_quoted() {
        std::string text;
        ++i_;
        while (!at_end()) {
            char c = s_[i_++];
            if (c == '"') return text;
            if (c == '\\' && !at_end()) c = s_[i_++];
            if (c == '\r' || c == '\n') continue;  // folding inside quotes
            text += c;
        }
        return std::nullopt;
    }

    std::string take_atext(bool dots) {
        std::size_t start = i_;
        while (!at_end() && (is_atext(peek()) || (dots && peek() == '.'))) ++i_;
        return std::string(s_.substr(start, i_ - start));
    }

    // phrase = 1*word / obs-phrase (words, dots and CFWS); words are joined
    // by one space. Nothing when there is no word.
    std::optional<std::string> parse_phrase() {
        skip_cfws();
        if (at_end() || peek() == '.') return std::nullopt;
        std::string out;
        bool any = false;
        while (!at_end()) {
            std::string word;
            if (peek() == '"') {
                auto q = parse_quoted();
                if (!q) return std::nullopt;
                word = *q;
            } else if (is_atext(peek()) || peek() == '.') {
                word = take_atext(true);
            } else {
                break;
            }
            if (any) out += ' ';
            out += word;
            any = true;
            skip_cfws();
        }
        if (!any) return std::nullopt;
        return out;
    }

    // local-part = dot-atom / quoted-string / obs-local-part (words
    // separated by dots, CFWS around them). Empty when there is none.
    std::string parse_local_part() {
        std::string out;
        for (;;) {
            skip_cfws();
            if (at_end()) break;
            if (peek() == '"') {
                auto q = parse_quoted();
                if (!q) {
                    error_ = true;
                    break;
                }
                out += *q;
            } else if (is_atext(peek()) || peek() == '.') {
                // Dots anywhere ("a.", ".a", "a..b"), as Dovecot accepts.
                out += take_atext(true);
            } else {
                break;
            }
            skip_cfws();
            if (at_end() || peek() != '.') break;
            ++i_;
            out += '.';
        }
        return out;
    }

    // domain = dot-atom / domain-literal / obs-domain.
    std::string parse_domain() {
        std::string out;
        skip_cfws();
        if (!at_end() && peek() == '[') {
            std::size_t end = s_.find(']', i_);
            std::size_t stop = end == std::string_view::npos ? s_.size() : end + 1;
            for (std::size_t k = i_; k < stop; ++k)
                if (s_[k] != '\r' && s_[k] != '\n') out += s_[k];
            i_ = stop;
            return out;
        }
        for (;;) {
            skip_cfws();
            if (at_end() || !is_atext(peek())) break;
            out += take_atext(false);
            skip_cfws();
            if (at_end() || peek() != '.') break;
            ++i_;
            out += '.';
        }
        return out;
    }

    static void fill(Address& a, std::string local, std::string domain) {
        a.mailbox = local.empty() ? std::string(kMissingMailbox) : std::move(local);
        a.host = domain.empty() ? std::string(kMissingDomain) : std::move(domain);
    }

    // "<" [route ":"] addr-spec ">", i_ at '<'.
    void parse_angle_addr(Address& a) {
        ++i_;
        skip_cfws();
        std::string route;
        while (!at_end() && (peek() == '@' || peek() == ',')) {
            if (peek() == ',') {
                ++i_;
                skip_cfws();
                continue;
            }
            ++i_;
            if (!route.empty()) route += ',';
            route += '@';
            route += parse_domain();
            skip_cfws();
        }
        if (!route.empty()) {
            if (!at_end() && peek() == ':') ++i_;
            a.adl = route;
        }
        std::string local = parse_local_part();
        std::string domain;
        skip_cfws();
        if (!at_end() && peek() == '@') {
            ++i_;
            domain = parse_domain();
        }
        skip_cfws();
        fill(a, std::move(local), std::move(domain));
        if (at_end() || peek() != '>') {
            a.host = std::string(kSyntaxError);
            error_ = true;
            return;
        }
        ++i_;
        skip_cfws();
    }

    void parse_mailbox(bool in_group) {
        Address a;
        skip_cfws();
        std::size_t start = i_;
        if (!at_end() && peek() == '<') {
            parse_angle_addr(a);
            out_.push_back(std::move(a));
            return;
        }
        auto phrase = parse_phrase();
        if (phrase && !at_end() && peek() == '<') {
            if (!phrase->empty()) a.name = std::move(*phrase);
            parse_angle_addr(a);
            out_.push_back(std::move(a));
            return;
        }
        // addr-spec; a comment after it names it.
        i_ = start;
        error_ = false;
        last_comment_.reset();
        std::string local = parse_local_part();
        std::string domain;
        bool has_at = false;
        skip_cfws();
        if (!at_end() && peek() == '@') {
            has_at = true;
            ++i_;
            domain = parse_domain();
        }
        skip_cfws();
        bool ends_well = at_end() || peek() == ',' || (in_group && peek() == ';');
        if (!ends_well || error_) {
            error_ = true;
            // "John Doe" alone, or "a b@c": a display name with no address.
            if (!has_at && phrase && phrase->find(' ') != std::string::npos) {
                a.name = *phrase;
                fill(a, "", "");
                out_.push_back(std::move(a));
                return;
            }
        }
        if (last_comment_ && !collapse_whitespace(*last_comment_).empty()) a.name = *last_comment_;
        fill(a, std::move(local), std::move(domain));
        out_.push_back(std::move(a));
    }

    // group = display-name ":" [group-list] ";"; falls back to a mailbox.
    void parse_address() {
        std::size_t start = i_;
        auto phrase = parse_phrase();
        if (!phrase || at_end() || peek() != ':') {
            i_ = start;
            parse_mailbox(false);
            return;
        }
        ++i_;
        Address begin;
        begin.mailbox = collapse_whitespace(*phrase);
        out_.push_back(std::move(begin));
        while (!error_) {
            skip_cfws();
            if (at_end()) break;
            if (peek() == ';') {
                ++i_;
                break;
            }
            if (peek() == ',') {
                ++i_;
                continue;
            }
            parse_mailbox(true);
            if (error_) break;
            skip_cfws();
            if (!at_end() && peek() == ',') ++i_;
            else if (!at_end() && peek() == ';') {
                ++i_;
                break;
            } else {
                break;
            }
        }
        out_.push_back(Address{});
    }
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) { return Parser(value).parse_list(); }

std::optional<Address> first_mailbox(const std::vector<Address>& list) {
    for (const Address& a : list)
        if (a.mailbox && a.host) return a;
    return std::nullopt;
}

std::string address_spec(const Address& a) {
    std::string out;
    if (a.mailbox && *a.mailbox != kMissingMailbox) out += *a.mailbox;
    if (a.host && *a.host != kMissingDomain && *a.host != kSyntaxError) {
        out += '@';
        out += *a.host;
    }
    return out;
}

namespace {

// A word, quoted (with '"', '\\' and '\'' escaped, as Dovecot escapes)
// unless every byte is atext; a dot needs quotes in a name, not in a local part.
void append_maybe_quoted(std::string& out, std::string_view word, bool dot_needs_quotes) {
    bool plain = true;
    for (unsigned char c : word)
        if (!is_atext(c) && (dot_needs_quotes || c != '.')) plain = false;
    if (plain) {
        out += word;
        return;
    }
    out += '"';
    for (char c : word) {
        if (c == '"' || c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    out += '"';
}

void append_phrase(std::string& out, std::string_view phrase) {
    if (phrase.find("=?") != std::string_view::npos)
        out += phrase;  // encoded words may not be quoted (RFC 2047 5)
    else
        append_maybe_quoted(out, phrase, true);
}

}  // namespace

std::string address_list_text(const std::vector<Address>& list) {
    std::string out;
    bool first = true, in_group = false;
    for (const Address& a : list) {
        if (!first) out += ", ";
        first = false;
        if (!a.host) {
            if (!in_group) {  // a group's start: its name is in `mailbox`
                if (a.mailbox && !a.mailbox->empty())
                    append_phrase(out, *a.mailbox);
                else
                    out += "\"\"";
                out += ": ";
                first = true;
            } else {  // its end: drop the ", " after the last member, or the space after ':'
                out.resize(out.size() - (out.size() >= 2 && out[out.size() - 2] == ',' ? 2 : 1));
                out += ';';
            }
            in_group = !in_group;
            continue;
        }
        const std::string name = a.name.value_or("");
        const std::string mailbox = a.mailbox.value_or("");
        append_phrase(out, name);
        if (a.adl || !mailbox.empty() || !a.host->empty()) {
            if (!name.empty()) out += ' ';
            out += '<';
            if (a.adl) {
                out += *a.adl;
                out += ':';
            }
            if (mailbox.empty())
                out += "\"\"";
            else
                append_maybe_quoted(out, mailbox, false);
            if (!a.host->empty()) {
                out += '@';
                out += *a.host;
            }
            out += '>';
        }
    }
    return out;
}

std::string collapse_whitespace(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending_space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c == '\0' ? char(0x80) : c;
    }
    return out;
}

}  // namespace mail
