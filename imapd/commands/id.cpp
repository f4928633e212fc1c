// ID (RFC 2971): the client's identification is read and checked; the
// server names itself.
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_id(CommandContext& ctx) {
    auto& args = ctx.args;
    if (!args.try_word("NIL")) {
        // "(" key SP nstring *(SP key SP nstring) ")", at most 30 pairs.
        args.open_paren();
        size_t pairs = 0;
        while (args.peek() != ')') {
            if (++pairs > 30) throw ParseError("Too many ID fields");
            std::string key = args.string();
            if (key.size() > 30) throw ParseError("ID field name too long");
            args.sp();
            std::optional<std::string> value = args.nstring();
            if (value && value->size() > 1024) throw ParseError("ID field value too long");
            if (!args.try_sp()) break;
        }
        args.close_paren();
    }
    args.end();
    ctx.session.untagged("ID (\"name\" \"imapd\" \"vendor\" \"imapd\" \"version\" \"0.1\")");
    return Reply::ok("ID completed");
}

}  // namespace mail::imapd
