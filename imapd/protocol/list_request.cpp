#include "imapd/protocol/list_request.hpp"

#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

unsigned selection_option(const std::string& word) {
    static constexpr struct {
        std::string_view name;
        ListSelection bit;
    } kOptions[] = {{"SUBSCRIBED", kSelectSubscribed},
                    {"REMOTE", kSelectRemote},
                    {"RECURSIVEMATCH", kSelectRecursiveMatch},
                    {"SPECIAL-USE", kSelectSpecialUse}};
    for (const auto& o : kOptions)
        if (same(word, o.name)) return o.bit;
    throw ParseError("Unknown LIST selection option " + word);
}

// "(" [option *(SP option)] ")" of selection options.
unsigned selection_options(ArgReader& args) {
    unsigned bits = 0;
    args.open_paren();
    while (args.peek() != ')') {
        args.count_item();
        bits |= selection_option(args.atom());
        if (!args.try_sp()) break;
    }
    args.close_paren();
    // RFC 5258 3.1: alone (or only with REMOTE) it modifies nothing: BAD.
    if ((bits & kSelectRecursiveMatch) && !(bits & (kSelectSubscribed | kSelectSpecialUse)))
        throw ParseError("RECURSIVEMATCH needs another selection option such as SUBSCRIBED");
    return bits;
}

// "(" [option *(SP option)] ")" of return options; STATUS takes its items.
void return_options(ArgReader& args, ListExtendedRequest& req) {
    args.open_paren();
    while (args.peek() != ')') {
        args.count_item();
        std::string word = args.atom();
        if (same(word, "SUBSCRIBED")) {
            req.returns |= kReturnSubscribed;
        } else if (same(word, "CHILDREN")) {
            req.returns |= kReturnChildren;
        } else if (same(word, "SPECIAL-USE")) {
            req.returns |= kReturnSpecialUse;
        } else if (same(word, "STATUS")) {
            if (req.returns & kReturnStatus) throw ParseError("STATUS given twice in RETURN");
            args.sp();
            req.returns |= kReturnStatus;
            req.status_items = parse_status_items(args);
        } else {
            throw ParseError("Unknown LIST return option " + word);
        }
        if (!args.try_sp()) break;
    }
    args.close_paren();
}

}  // namespace

ListExtendedRequest parse_list_request(ArgReader& args) {
    ListExtendedRequest req;
    if (args.peek() == '(') {
        req.selection = selection_options(args);
        req.extended = true;
        args.sp();
    }
    req.reference = args.mailbox();
    args.sp();
    if (args.peek() == '(') {
        req.extended = true;
        args.open_paren();
        for (;;) {
            args.count_item();
            req.patterns.push_back(args.list_mailbox());
            if (!args.try_sp()) break;
        }
        args.close_paren();
    } else {
        req.patterns.push_back(args.list_mailbox());
    }
    if (args.try_sp()) {
        if (!args.try_word("RETURN")) throw ParseError("Expected RETURN");
        args.sp();
        return_options(args, req);
        req.extended = true;
    }
    args.end();
    return req;
}

}  // namespace mail::imapd
