#include "search/search.hpp"

#include <strings.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "cache/header_fields.hpp"
#include "message/address.hpp"
#include "message/charset.hpp"
#include "message/date.hpp"
#include "message/header.hpp"
#include "message/rfc2047.hpp"
#include "search/message_text.hpp"
#include "search/text_matcher.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

using K = SearchKey::Kind;

// Three-valued logic: a key whose data has not been read yet is Unknown.
enum class Tri { False, True, Unknown };

Tri tri(bool b) { return b ? Tri::True : Tri::False; }
Tri negate(Tri t) { return t == Tri::Unknown ? t : tri(t == Tri::False); }

constexpr int64_t kDay = 24 * 60 * 60;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// A key prepared for evaluation: sets resolved, keywords looked up, search
// strings folded, BODY/TEXT strings numbered into the scan's matchers.
struct Node {
    K kind = K::All;
    std::vector<Node> children;
    NumberSet set;             // resolved; or the saved UIDs
    bool by_uid = false;       // set holds UIDs
    uint32_t flag = 0;         // system flag bit
    std::optional<size_t> keyword;
    int64_t number = 0;        // date (days), size, or time bound
    std::string field;         // header field name
    std::string needle;        // folded search string
    size_t slot = 0;           // BODY/TEXT: index into the scan's needles
};

struct Needles {
    std::vector<std::string> body, text;  // as sent
};

uint32_t flag_of(K k) {
    switch (k) {
    case K::Answered: case K::Unanswered: return kAnswered;
    case K::Deleted: case K::Undeleted: return kDeleted;
    case K::Draft: case K::Undraft: return kDraft;
    case K::Flagged: case K::Unflagged: return kFlagged;
    case K::Seen: case K::Unseen: return kSeen;
    case K::Recent: return kRecent;
    default: return 0;
    }
}

class Compiler {
public:
    Compiler(Mailbox& mb, const SearchOptions& opt) : mb_(mb), opt_(opt) {}
    Needles needles;
    bool whole_header = false;  // a key needs fields the cache does not keep
    bool sent_keys = false;     // SENTBEFORE/SENTON/SENTSINCE: Date: is parsed
    bool date_keys = false;     // BEFORE/ON/SINCE/OLDER/YOUNGER: Mailbox::dated()

    Node compile(const SearchKey& key) {
        Node n;
        n.kind = key.kind;
        for (const SearchKey& c : key.children) n.children.push_back(compile(c));
        switch (key.kind) {
        case K::SequenceSet: case K::Uid:
            if (key.set.saved) {
                n.by_uid = true;
                if (opt_.saved)
                    for (Uid u : *opt_.saved) n.set.ranges.push_back({u, u});
                n.set = n.set.resolve(0);
            } else {
                n.by_uid = key.kind == K::Uid;
                uint32_t star = n.by_uid ? (mb_.count() ? mb_.at(mb_.count() - 1).uid : 0)
                                         : static_cast<uint32_t>(mb_.count());
                n.set = key.set.resolve(star);
            }
            break;
        case K::Keyword: case K::Unkeyword:
            n.keyword = mb_.keyword_bit(key.value, false);
            break;
        case K::Before: case K::On: case K::Since:
            n.number = key.date;
            date_keys = true;
            break;
        case K::SentBefore: case K::SentOn: case K::SentSince:
            n.number = key.date;
            sent_keys = true;
            break;
        case K::Larger: case K::Smaller:
            n.number = static_cast<int64_t>(std::min<uint64_t>(key.number, INT64_MAX));
            break;
        case K::Older: case K::Younger: {
            int64_t now = opt_.now ? opt_.now : static_cast<int64_t>(::time(nullptr));
            n.number = now - static_cast<int64_t>(std::min<uint64_t>(key.number, INT32_MAX));
            date_keys = true;
            break;
        }
        case K::ModSeq:
            if (!opt_.modseq) throw MailError(ErrorKind::Invalid, "MODSEQ searches need CONDSTORE");
            n.number = static_cast<int64_t>(std::min<uint64_t>(key.number, INT64_MAX));
            break;
        case K::Bcc: case K::Cc: case K::From: case K::Subject: case K::To: case K::Header:
            check_utf8(key.value);
            n.field = key.kind == K::Header ? key.field : field_name(key.kind);
            n.needle = fold_case(key.value);
            if (!is_cached_header_name(n.field)) whole_header = true;
            break;
        case K::Body:
            check_utf8(key.value);
            n.slot = needles.body.size();
            needles.body.push_back(key.value);
            break;
        case K::Text:
            check_utf8(key.value);
            n.slot = needles.text.size();
            needles.text.push_back(key.value);
            whole_header = true;  // TEXT looks at every field
            break;
        default:
            n.flag = flag_of(key.kind);
            break;
        }
        return n;
    }

private:
    static void check_utf8(const std::string& s) {
        if (!is_valid_utf8(s)) throw MailError(ErrorKind::Invalid, "Search string is not valid UTF-8");
    }
    static std::string field_name(K k) {
        switch (k) {
        case K::Bcc: return "Bcc";
        case K::Cc: return "Cc";
        case K::From: return "From";
        case K::Subject: return "Subject";
        default: return "To";
        }
    }

    Mailbox& mb_;
    const SearchOptions& opt_;
};

// What is known of one message so far.
struct Facts {
    const MessageInfo* info = nullptr;
    uint32_t seq = 0;
    const std::string* header = nullptr;       // once read
    std::optional<DateTime> sent;              // from the header's Date:
    const TextMatcher* header_text = nullptr;  // TEXT needles in the header
    const TextMatcher* body = nullptr;         // once scanned
    const TextMatcher* text = nullptr;
    uint64_t modseq = 0;                       // for MODSEQ keys
};

// The value of a one-line, ASCII field without encoded words ("=?"), whose
// decoded, folded form is the value in lower case; nullopt for the others.
std::optional<std::string_view> plain_ascii_value(std::string_view raw) {
    size_t start = 0;
    while (start < raw.size() && (raw[start] == ' ' || raw[start] == '\t')) ++start;
    for (size_t i = start; i < raw.size(); ++i) {
        auto c = static_cast<unsigned char>(raw[i]);
        if (c >= 0x80 || c == '\r' || c == '\n' || (c == '=' && i + 1 < raw.size() && raw[i + 1] == '?'))
            return std::nullopt;
    }
    return raw.substr(start);
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Whether ASCII `text`, lowered, contains `folded` (a folded needle; one with
// non-ASCII bytes is never found in ASCII text).
bool ascii_folded_contains(std::string_view text, std::string_view folded) {
    if (folded.size() > text.size()) return false;
    for (size_t i = 0; i + folded.size() <= text.size(); ++i) {
        size_t k = 0;
        while (k < folded.size() && ascii_lower(text[i + k]) == folded[k]) ++k;
        if (k == folded.size()) return true;
    }
    return false;
}

// How a key sees a field's value, as Dovecot does (RFC 3501 leaves it to
// the server): HEADER the unfolded value (searchable_header_value); SUBJECT
// that with every run of spaces and TABs made one space, as ENVELOPE shows
// it; FROM, TO, CC and BCC the addresses written back in one form
// (address_list_text), so that "a@b" is found however the header spelt it.
enum class ValueForm { Unfolded, OneSpace, Addresses };

ValueForm value_form(K kind) {
    switch (kind) {
    case K::Subject: return ValueForm::OneSpace;
    case K::Header: return ValueForm::Unfolded;
    default: return ValueForm::Addresses;
    }
}

// Runs of spaces and TABs as one space; leading ones dropped (Dovecot's
// compress_lwsp).
std::string one_space(std::string_view s) {
    std::string out;
    bool prev_space = true;
    for (char c : s) {
        bool space = c == ' ' || c == '\t';
        if (!space || !prev_space) out += space ? ' ' : c;
        prev_space = space;
    }
    return out;
}

bool has_space_run_or_tab(std::string_view s) {
    return s.find('\t') != std::string_view::npos || s.find("  ") != std::string_view::npos;
}

std::string value_text(const HeaderField& f, ValueForm form) {
    switch (form) {
    case ValueForm::Unfolded: return searchable_header_value(f.raw_value);
    case ValueForm::OneSpace: return one_space(searchable_header_value(f.raw_value));
    case ValueForm::Addresses: return address_list_text(parse_address_list(searchable_header_value(f.raw_value)));
    }
    return {};
}

// Whether any field `name` of the header contains `needle` (decoded,
// folded). An empty needle matches when the field is present.
bool header_contains(std::string_view header, std::string_view name, ValueForm form, const std::string& needle) {
    HeaderParser fields(header);
    while (auto f = fields.next()) {
        if (!header_name_equals(f->name, name)) continue;
        if (needle.empty()) return true;
        // Most values are plain ASCII on one line: no decoding, no copies.
        if (form != ValueForm::Addresses)
            if (auto plain = plain_ascii_value(f->raw_value))
                if (form == ValueForm::Unfolded || !has_space_run_or_tab(*plain)) {
                    if (ascii_folded_contains(*plain, needle)) return true;
                    continue;
                }
        std::string text = value_text(*f, form);
        if (auto plain = plain_ascii_value(text)) {
            if (ascii_folded_contains(*plain, needle)) return true;
        } else if (fold_case(decode_rfc2047(text)).find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

Tri eval(const Node& n, const Facts& f) {
    const MessageInfo& m = *f.info;
    switch (n.kind) {
    case K::And: {
        Tri r = Tri::True;
        for (const Node& c : n.children) {
            Tri t = eval(c, f);
            if (t == Tri::False) return t;
            if (t == Tri::Unknown) r = t;
        }
        return r;
    }
    case K::Or: {
        Tri r = Tri::False;
        for (const Node& c : n.children) {
            Tri t = eval(c, f);
            if (t == Tri::True) return t;
            if (t == Tri::Unknown) r = t;
        }
        return r;
    }
    case K::Not: return negate(eval(n.children.at(0), f));
    case K::All: return Tri::True;
    case K::Answered: case K::Deleted: case K::Draft: case K::Flagged: case K::Seen: case K::Recent:
        return tri(m.flags & n.flag);
    case K::Unanswered: case K::Undeleted: case K::Undraft: case K::Unflagged: case K::Unseen:
        return tri(!(m.flags & n.flag));
    case K::New: return tri((m.flags & kRecent) && !(m.flags & kSeen));
    case K::Old: return tri(!(m.flags & kRecent));
    case K::Keyword: return tri(n.keyword && (m.keywords >> *n.keyword & 1));
    case K::Unkeyword: return tri(!n.keyword || !(m.keywords >> *n.keyword & 1));
    case K::SequenceSet: case K::Uid: return tri(n.set.contains(n.by_uid ? m.uid : f.seq));
    case K::Larger: return tri(m.size > static_cast<uint64_t>(n.number));
    case K::Smaller: return tri(m.size < static_cast<uint64_t>(n.number));
    case K::Older: return tri(m.internal_date <= n.number);
    case K::Younger: return tri(m.internal_date >= n.number);
    case K::Before: case K::On: case K::Since: {
        // RFC 3501: dates "disregarding time and timezone": the day of the
        // internal date in its own zone.
        int64_t day = floor_div(m.internal_date + int64_t{m.zone_minutes} * 60, kDay);
        return tri(n.kind == K::Before ? day < n.number : n.kind == K::On ? day == n.number : day >= n.number);
    }
    case K::SentBefore: case K::SentOn: case K::SentSince: {
        if (!f.header) return Tri::Unknown;
        // No usable Date: field counts as 1-Jan-1970, as Dovecot has it.
        int64_t day = 0;
        if (f.sent) {
            CivilDate d = local_date(*f.sent);
            day = days_from_civil(d.year, d.month, d.day);
        }
        return tri(n.kind == K::SentBefore ? day < n.number
                   : n.kind == K::SentOn   ? day == n.number
                                           : day >= n.number);
    }
    case K::Bcc: case K::Cc: case K::From: case K::Subject: case K::To: case K::Header:
        if (!f.header) return Tri::Unknown;
        return tri(header_contains(*f.header, n.field, value_form(n.kind), n.needle));
    case K::Body:
        if (!f.body) return Tri::Unknown;
        return tri(f.body->found(n.slot));
    case K::Text:
        if (f.header_text && f.header_text->found(n.slot)) return Tri::True;
        if (!f.text) return Tri::Unknown;
        return tri(f.text->found(n.slot));
    case K::ModSeq: return tri(f.modseq >= static_cast<uint64_t>(n.number));
    }
    return Tri::False;
}

}  // namespace

bool search_charset_supported(std::string_view name) {
    auto is = [&](std::string_view known) {
        return name.size() == known.size() && strncasecmp(name.data(), known.data(), name.size()) == 0;
    };
    return is("UTF-8") || is("US-ASCII");
}

std::vector<size_t> search(Mailbox& mailbox, const SearchKey& key, const SearchOptions& options) {
    Compiler compiler(mailbox, options);
    Node root = compiler.compile(key);
    const Needles& needles = compiler.needles;
    MessageCache* cache = compiler.whole_header ? nullptr : options.cache;
    std::vector<size_t> result;
    for (size_t i = 0; i < mailbox.count(); ++i) {
        Facts f;
        f.info = &mailbox.at(i);
        if (compiler.date_keys) {  // the driver may read the date on demand (maildir)
            try {
                f.info = &mailbox.dated(i);
            } catch (const MailError& e) {
                if (e.kind() != ErrorKind::NotFound) throw;
                continue;  // removed by another program since the last sync
            }
        }
        f.seq = static_cast<uint32_t>(i + 1);
        if (options.modseq) f.modseq = options.modseq(f.info->uid);
        Tri t = eval(root, f);
        try {
            std::string header;
            std::optional<TextMatcher> header_text, body, text;
            std::optional<MessageContent> content;
            if (t == Tri::Unknown) {  // read the header once for every header key
                if (cache) {
                    header = cached_header_fields(mailbox, i, cache);
                } else {
                    content = mailbox.content(i);
                    header = read_header(*content);
                }
                f.header = &header;
                if (compiler.sent_keys)
                    if (auto date = find_header_field(header, "Date")) f.sent = parse_rfc5322_date(date->unfolded());
                if (!needles.text.empty()) {
                    header_text.emplace(needles.text);
                    feed_header_text(header, *header_text);
                    f.header_text = &*header_text;
                }
                t = eval(root, f);
            }
            if (t == Tri::Unknown) {  // stream the body for BODY and TEXT
                body.emplace(needles.body);
                text.emplace(needles.text);
                if (!content) content = mailbox.content(i);
                scan_body_text(*content, &*body, &*text);
                f.body = &*body;
                f.text = &*text;
                t = eval(root, f);
            }
        } catch (const MailError& e) {
            if (e.kind() != ErrorKind::NotFound) throw;
            t = Tri::False;  // removed by another program since the last sync
        }
        if (t == Tri::True) result.push_back(i);
    }
    return result;
}

}  // namespace mail
