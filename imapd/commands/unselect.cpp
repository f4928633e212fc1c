// UNSELECT (RFC 3691): as CLOSE but without expunging.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_unselect(CommandContext& ctx) {
    ctx.args.end();
    ctx.session.unselect();
    return Reply::ok("Unselect completed");
}

}  // namespace mail::imapd
