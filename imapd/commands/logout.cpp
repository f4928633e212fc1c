// LOGOUT (RFC 3501 6.1.3).
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_logout(CommandContext& ctx) {
    ctx.args.end();
    ctx.session.untagged("BYE Logging out");
    ctx.session.unselect();
    ctx.session.set_state(State::Logout);
    return Reply::ok("LOGOUT completed");
}

}  // namespace mail::imapd
