#include "imapd/protocol/store_request.hpp"

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

StoreRequest parse_store(ArgReader& args) {
    StoreRequest req;
    if (args.peek() == '(') {
        args.open_paren();
        if (!args.try_word("UNCHANGEDSINCE")) throw ParseError("Unknown STORE modifier");
        args.sp();
        req.unchanged_since = args.number64();
        args.close_paren();
        args.sp();
    }
    if (args.try_char('+')) req.op = StoreRequest::Op::Add;
    else if (args.try_char('-')) req.op = StoreRequest::Op::Remove;
    if (args.try_word("FLAGS.SILENT")) req.silent = true;
    else if (!args.try_word("FLAGS")) throw ParseError("Expected FLAGS, +FLAGS or -FLAGS");
    args.sp();
    req.flags = args.peek() == '(' ? args.flag_list() : args.flags_unparenthesised();
    args.end();
    return req;
}

}  // namespace mail::imapd
