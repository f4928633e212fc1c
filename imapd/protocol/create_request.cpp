#include "imapd/protocol/create_request.hpp"

#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

// "(" flag *(SP flag) ")" where a flag is "\" atom.
std::vector<std::string> use_list(ArgReader& args) {
    std::vector<std::string> uses;
    args.open_paren();
    for (;;) {
        args.count_item();
        if (!args.try_char('\\')) throw ParseError("USE takes special-use attributes such as \\Sent");
        uses.push_back("\\" + args.atom());
        if (!args.try_sp()) break;
    }
    args.close_paren();
    return uses;
}

}  // namespace

CreateRequest parse_create(ArgReader& args) {
    CreateRequest req;
    req.mailbox = args.mailbox();
    if (args.try_sp()) {
        args.open_paren();
        for (;;) {
            args.count_item();
            if (!args.try_word("USE")) throw ParseError("Unknown CREATE parameter");
            args.sp();
            for (std::string& u : use_list(args)) req.uses.push_back(std::move(u));
            if (!args.try_sp()) break;
        }
        args.close_paren();
    }
    args.end();
    return req;
}

}  // namespace mail::imapd
