#include "imapd/protocol/fetch_request.hpp"

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// An item name: atom characters up to "[" (which is itself an atom char).
std::string item_name(ArgReader& args) {
    std::string name;
    while (is_atom_char(args.peek()) && args.peek() != '[') {
        name += args.peek();
        args.try_char(args.peek());
    }
    if (name.empty()) throw ParseError(args.at_end() ? "Missing fetch attributes" : "Expected a fetch attribute");
    return upper(name);
}

// Letters and dots: HEADER, HEADER.FIELDS.NOT, TEXT, MIME.
std::string section_word(ArgReader& args) {
    std::string w;
    for (char c = args.peek(); (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.';
         c = args.peek()) {
        w += c;
        args.try_char(c);
    }
    return upper(w);
}

SectionSpec parse_section(ArgReader& args, bool binary) {
    SectionSpec s;
    args.expect('[');
    while (args.peek() >= '0' && args.peek() <= '9') {
        s.part.push_back(args.nz_number());
        if (args.peek() != '.') break;
        args.expect('.');
        if (!(args.peek() >= '0' && args.peek() <= '9')) break;  // ".HEADER" etc. follows
    }
    if (args.peek() != ']') {
        if (binary) throw ParseError("BINARY takes only a part number");
        std::string w = section_word(args);
        if (w == "HEADER") {
            s.text = SectionSpec::Text::Header;
        } else if (w == "TEXT") {
            s.text = SectionSpec::Text::Text;
        } else if (w == "MIME" && !s.part.empty()) {
            s.text = SectionSpec::Text::Mime;
        } else if (w == "HEADER.FIELDS" || w == "HEADER.FIELDS.NOT") {
            s.text = w == "HEADER.FIELDS" ? SectionSpec::Text::HeaderFields
                                          : SectionSpec::Text::HeaderFieldsNot;
            args.sp();
            args.open_paren();
            for (;;) {
                args.count_item();
                s.fields.push_back(upper(args.astring()));
                if (!args.try_sp()) break;
            }
            args.close_paren();
        } else {
            throw ParseError("Invalid section in BODY[]");
        }
    }
    args.expect(']');
    return s;
}

std::optional<Partial> parse_partial(ArgReader& args) {
    if (!args.try_char('<')) return std::nullopt;
    Partial p;
    // RFC 9051: "<" number64 "." nz-number64 ">", each at most 2^63-1.
    p.offset = args.number64();
    args.expect('.');
    p.length = args.number64();
    if (p.offset > INT64_MAX || p.length > INT64_MAX) throw ParseError("Partial range too large");
    if (p.length == 0) throw ParseError("Expected a non-zero number");
    args.expect('>');
    return p;
}

void add_simple(std::vector<FetchItem>& out, FetchItem::Kind kind) {
    FetchItem item;
    item.kind = kind;
    out.push_back(item);
}

void parse_item(ArgReader& args, std::vector<FetchItem>& out, bool allow_macro) {
    using K = FetchItem::Kind;
    args.count_item();
    std::string name = item_name(args);
    if (allow_macro && (name == "ALL" || name == "FAST" || name == "FULL")) {
        add_simple(out, K::Flags);
        add_simple(out, K::InternalDate);
        add_simple(out, K::Rfc822Size);
        if (name != "FAST") add_simple(out, K::Envelope);
        if (name == "FULL") add_simple(out, K::Body);
        return;
    }
    static constexpr struct {
        const char* name;
        K kind;
    } kSimple[] = {{"ENVELOPE", K::Envelope},         {"FLAGS", K::Flags},
                   {"INTERNALDATE", K::InternalDate}, {"RFC822", K::Rfc822},
                   {"RFC822.HEADER", K::Rfc822Header}, {"RFC822.SIZE", K::Rfc822Size},
                   {"RFC822.TEXT", K::Rfc822Text},     {"BODYSTRUCTURE", K::BodyStructure},
                   {"UID", K::Uid},                    {"MODSEQ", K::ModSeq},
                   {"EMAILID", K::EmailId},            {"THREADID", K::ThreadId}};
    for (const auto& s : kSimple) {
        if (name == s.name) {
            add_simple(out, s.kind);
            return;
        }
    }
    FetchItem item;
    if (name == "BODY" && args.peek() != '[') {
        item.kind = K::Body;
    } else if (name == "BODY" || name == "BODY.PEEK") {
        item.kind = K::BodySection;
        item.peek = name == "BODY.PEEK";
        item.section = parse_section(args, false);
        item.partial = parse_partial(args);
    } else if (name == "BINARY" || name == "BINARY.PEEK") {
        item.kind = K::BinarySection;
        item.peek = name == "BINARY.PEEK";
        item.section = parse_section(args, true);
        item.partial = parse_partial(args);
    } else if (name == "BINARY.SIZE") {
        item.kind = K::BinarySize;
        item.section = parse_section(args, true);
    } else {
        throw ParseError("Unknown fetch attribute " + name);
    }
    out.push_back(std::move(item));
}

}  // namespace

std::string SectionSpec::to_string() const {
    std::string out;
    for (uint32_t p : part) {
        if (!out.empty()) out += '.';
        out += std::to_string(p);
    }
    const char* word = nullptr;
    switch (text) {
    case Text::All: break;
    case Text::Header: word = "HEADER"; break;
    case Text::HeaderFields: word = "HEADER.FIELDS"; break;
    case Text::HeaderFieldsNot: word = "HEADER.FIELDS.NOT"; break;
    case Text::Text: word = "TEXT"; break;
    case Text::Mime: word = "MIME"; break;
    }
    if (word) {
        if (!out.empty()) out += '.';
        out += word;
    }
    if (!fields.empty()) {
        out += " (";
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i) out += ' ';
            out += fields[i];
        }
        out += ')';
    }
    return out;
}

std::string FetchItem::response_name() const {
    switch (kind) {
    case Kind::Envelope: return "ENVELOPE";
    case Kind::Flags: return "FLAGS";
    case Kind::InternalDate: return "INTERNALDATE";
    case Kind::Rfc822: return "RFC822";
    case Kind::Rfc822Header: return "RFC822.HEADER";
    case Kind::Rfc822Size: return "RFC822.SIZE";
    case Kind::Rfc822Text: return "RFC822.TEXT";
    case Kind::Body: return "BODY";
    case Kind::BodyStructure: return "BODYSTRUCTURE";
    case Kind::Uid: return "UID";
    case Kind::ModSeq: return "MODSEQ";
    case Kind::EmailId: return "EMAILID";
    case Kind::ThreadId: return "THREADID";
    case Kind::BinarySize: return "BINARY.SIZE[" + section.to_string() + "]";
    case Kind::BodySection:
    case Kind::BinarySection: {
        std::string out = kind == Kind::BodySection ? "BODY[" : "BINARY[";
        out += section.to_string();
        out += ']';
        if (partial) out += "<" + std::to_string(partial->offset) + ">";
        return out;
    }
    }
    return {};
}

bool FetchItem::sets_seen() const {
    switch (kind) {
    case Kind::Rfc822:
    case Kind::Rfc822Text: return true;
    case Kind::BodySection:
    case Kind::BinarySection: return !peek;
    default: return false;
    }
}

FetchRequest parse_fetch(ArgReader& args) {
    FetchRequest req;
    if (args.peek() == '(') {
        args.open_paren();
        for (;;) {
            parse_item(args, req.items, false);
            if (!args.try_sp()) break;
        }
        args.close_paren();
    } else {
        parse_item(args, req.items, true);
    }
    if (args.try_sp()) {  // fetch-modifiers (RFC 4466, 7162)
        args.open_paren();
        for (;;) {
            if (args.try_word("CHANGEDSINCE")) {
                args.sp();
                req.changed_since = args.number64();
            } else if (args.try_word("VANISHED")) {
                req.vanished = true;
            } else {
                throw ParseError("Unknown FETCH modifier");
            }
            if (!args.try_sp()) break;
        }
        args.close_paren();
    }
    return req;
}

}  // namespace mail::imapd
