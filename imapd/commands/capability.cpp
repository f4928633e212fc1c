// CAPABILITY (RFC 3501 6.1.1): what this server does in the current state.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_capability(CommandContext& ctx) {
    ctx.args.end();
    ctx.session.untagged("CAPABILITY " + ctx.session.capabilities());
    return Reply::ok("CAPABILITY completed");
}

}  // namespace mail::imapd
