// NOOP (RFC 3501 6.1.2): nothing, but the session reports mailbox changes
// before the tagged OK, as after every command.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_noop(CommandContext& ctx) {
    ctx.args.end();
    return Reply::ok("NOOP completed");
}

}  // namespace mail::imapd
