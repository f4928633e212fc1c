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

}  // namespace

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
