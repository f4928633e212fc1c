// CHECK (RFC 3501 6.4.1): a checkpoint; pending flag writes go to disk and
// the session reports changes as after any command.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_check(CommandContext& ctx) {
    ctx.args.end();
    if (Mailbox* box = ctx.session.mailbox()) box->checkpoint();
    return Reply::ok("Check completed");
}

}  // namespace mail::imapd
