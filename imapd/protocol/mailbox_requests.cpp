#include "imapd/protocol/mailbox_requests.hpp"

#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::vector<std::string> atom_list(ArgReader& args) {
    std::vector<std::string> out;
    args.open_paren();
    while (args.peek() != ')') {
        args.count_item();
        out.push_back(upper(args.atom()));
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return out;
}

}  // namespace

ListRequest parse_list(ArgReader& args) {
    ListRequest req;
    if (args.peek() == '(') {
        req.selection = atom_list(args);
        args.sp();
    }
    req.reference = args.mailbox();
    args.sp();
    if (args.peek() == '(') {
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
        req.return_options = atom_list(args);
    }
    args.end();
    return req;
}

std::vector<StatusItem> parse_status_items(ArgReader& args) {
    static constexpr struct {
        const char* name;
        StatusItem item;
    } kItems[] = {{"MESSAGES", kStatusMessages},       {"RECENT", kStatusRecent},
                  {"UIDNEXT", kStatusUidNext},         {"UIDVALIDITY", kStatusUidValidity},
                  {"UNSEEN", kStatusUnseen},           {"SIZE", kStatusSize},
                  {"HIGHESTMODSEQ", kStatusHighestModSeq}, {"DELETED", kStatusDeleted},
                  {"MAILBOXID", kStatusMailboxId}};
    std::vector<StatusItem> items;
    args.open_paren();
    for (;;) {
        args.count_item();
        std::string name = upper(args.atom());
        bool known = false;
        for (const auto& i : kItems) {
            if (name == i.name) {
                items.push_back(i.item);
                known = true;
            }
        }
        if (!known) throw ParseError("Unknown STATUS item " + name);
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return items;
}

StatusRequest parse_status(ArgReader& args) {
    StatusRequest req;
    req.mailbox = args.mailbox();
    args.sp();
    req.items = parse_status_items(args);
    args.end();
    return req;
}

}  // namespace mail::imapd
