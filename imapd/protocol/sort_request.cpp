#include "imapd/protocol/sort_request.hpp"

#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/search_program.hpp"

namespace mail::imapd {

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::vector<SortCriterion> parse_criteria(ArgReader& args) {
    std::vector<SortCriterion> criteria;
    args.open_paren();
    for (;;) {
        args.count_item();
        SortCriterion c;
        std::string word = upper(args.atom());
        if (word == "REVERSE") {
            c.reverse = true;
            args.sp();
            word = upper(args.atom());
        }
        std::optional<SortKey> key = sort_key_named(word);
        if (!key) throw ParseError("Unknown sort criterion " + word);
        c.key = *key;
        criteria.push_back(c);
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return criteria;
}

}  // namespace

SortRequest parse_sort(ArgReader& args) {
    SortRequest r;
    if (args.try_word("RETURN")) {
        args.sp();
        r.return_options = parse_return_options(args);
        args.sp();
    }
    r.criteria = parse_criteria(args);
    args.sp();
    r.charset = upper(args.astring());
    args.sp();
    r.keys = parse_search_keys(args);
    return r;
}

ThreadRequest parse_thread(ArgReader& args) {
    ThreadRequest r;
    std::string name = upper(args.atom());
    std::optional<ThreadAlgorithm> algorithm = thread_algorithm_named(name);
    if (!algorithm) throw ParseError("Unknown thread algorithm " + name);
    r.algorithm = *algorithm;
    args.sp();
    r.charset = upper(args.astring());
    args.sp();
    r.keys = parse_search_keys(args);
    return r;
}

}  // namespace mail::imapd
