#include "imapd/protocol/search_program.hpp"

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

// OR and NOT recurse without parentheses; clients build long OR chains.
constexpr size_t kMaxKeyRecursion = 1000;

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

using K = SearchKey::Kind;

// The parser's SequenceSet as the library's NumberSet ("*" kept symbolic).
NumberSet number_set(const SequenceSet& parsed) {
    NumberSet set;
    set.saved = parsed.is_saved();
    for (const SequenceSet::Range& r : parsed.ranges()) set.ranges.push_back({r.first, r.last});
    return set;
}

struct KeyWord {
    const char* name;
    K kind;
    enum Arg { None, String, Date, Number, Keyword } arg;
};

constexpr KeyWord kKeys[] = {
    {"ALL", K::All, KeyWord::None},          {"ANSWERED", K::Answered, KeyWord::None},
    {"DELETED", K::Deleted, KeyWord::None},  {"DRAFT", K::Draft, KeyWord::None},
    {"FLAGGED", K::Flagged, KeyWord::None},  {"NEW", K::New, KeyWord::None},
    {"OLD", K::Old, KeyWord::None},          {"RECENT", K::Recent, KeyWord::None},
    {"SEEN", K::Seen, KeyWord::None},        {"UNANSWERED", K::Unanswered, KeyWord::None},
    {"UNDELETED", K::Undeleted, KeyWord::None}, {"UNDRAFT", K::Undraft, KeyWord::None},
    {"UNFLAGGED", K::Unflagged, KeyWord::None}, {"UNSEEN", K::Unseen, KeyWord::None},
    {"KEYWORD", K::Keyword, KeyWord::Keyword},  {"UNKEYWORD", K::Unkeyword, KeyWord::Keyword},
    {"BCC", K::Bcc, KeyWord::String},        {"BODY", K::Body, KeyWord::String},
    {"CC", K::Cc, KeyWord::String},          {"FROM", K::From, KeyWord::String},
    {"SUBJECT", K::Subject, KeyWord::String}, {"TEXT", K::Text, KeyWord::String},
    {"TO", K::To, KeyWord::String},          {"BEFORE", K::Before, KeyWord::Date},
    {"ON", K::On, KeyWord::Date},            {"SINCE", K::Since, KeyWord::Date},
    {"SENTBEFORE", K::SentBefore, KeyWord::Date}, {"SENTON", K::SentOn, KeyWord::Date},
    {"SENTSINCE", K::SentSince, KeyWord::Date},   {"LARGER", K::Larger, KeyWord::Number},
    {"SMALLER", K::Smaller, KeyWord::Number},     {"OLDER", K::Older, KeyWord::Number},
    {"YOUNGER", K::Younger, KeyWord::Number},
};

SearchKey parse_key(ArgReader& args, size_t depth);

// "(" key *(SP key) ")"
SearchKey parse_group(ArgReader& args, size_t depth) {
    SearchKey group;
    group.kind = K::And;
    args.open_paren();
    for (;;) {
        group.children.push_back(parse_key(args, depth + 1));
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return group;
}

SearchKey parse_key(ArgReader& args, size_t depth) {
    if (depth > kMaxKeyRecursion) throw ParseError("Search program nested too deeply");
    args.count_item();
    char c = args.peek();
    if (c == '(') return parse_group(args, depth);
    SearchKey key;
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
        key.kind = K::SequenceSet;
        key.set = number_set(args.sequence_set());
        return key;
    }
    std::string word = upper(args.atom());
    for (const KeyWord& k : kKeys) {
        if (word != k.name) continue;
        key.kind = k.kind;
        if (k.arg != KeyWord::None) args.sp();
        switch (k.arg) {
        case KeyWord::None: break;
        case KeyWord::String: key.value = args.astring(); break;
        case KeyWord::Date: key.date = args.date(); break;
        case KeyWord::Number: key.number = args.number64(); break;
        case KeyWord::Keyword: key.value = args.atom(); break;
        }
        return key;
    }
    if (word == "NOT") {
        key.kind = K::Not;
        args.sp();
        key.children.push_back(parse_key(args, depth + 1));
    } else if (word == "OR") {
        key.kind = K::Or;
        args.sp();
        key.children.push_back(parse_key(args, depth + 1));
        args.sp();
        key.children.push_back(parse_key(args, depth + 1));
    } else if (word == "HEADER") {
        key.kind = K::Header;
        args.sp();
        key.field = upper(args.astring());
        args.sp();
        key.value = args.astring();
    } else if (word == "UID") {
        key.kind = K::Uid;
        args.sp();
        key.set = number_set(args.sequence_set());
    } else if (word == "MODSEQ") {
        key.kind = K::ModSeq;
        args.sp();
        if (args.peek() == '"') {  // entry-name entry-type-req
            args.quoted();
            args.sp();
            args.atom();
            args.sp();
        }
        key.number = args.number64();
    } else {
        throw ParseError("Unknown search key " + word);
    }
    return key;
}

}  // namespace

std::vector<std::string> parse_return_options(ArgReader& args) {
    args.open_paren();
    std::vector<std::string> options;
    while (args.peek() != ')') {
        args.count_item();
        options.push_back(upper(args.atom()));
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return options;
}

SearchKey parse_search_keys(ArgReader& args) {
    SearchKey root;
    root.kind = K::And;
    for (;;) {
        root.children.push_back(parse_key(args, 0));
        if (!args.try_sp()) break;
    }
    args.end();
    return root;
}

SearchProgram parse_search(ArgReader& args) {
    SearchProgram program;
    if (args.try_word("RETURN")) {
        args.sp();
        program.return_options = parse_return_options(args);
        args.sp();
    }
    if (args.try_word("CHARSET")) {
        args.sp();
        program.charset = upper(args.astring());
        args.sp();
    }
    program.root = parse_search_keys(args);
    return program;
}

}  // namespace mail::imapd
