// LOGIN, AUTHENTICATE and STARTTLS until the login task adds PAM and TLS:
// clean refusals, after checking the arguments.
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_login(CommandContext& ctx) {
    ctx.args.astring();
    ctx.args.sp();
    ctx.args.astring();
    ctx.args.end();
    return Reply::no("[UNAVAILABLE] LOGIN is not supported yet");
}

Reply cmd_authenticate(CommandContext& ctx) {
    ctx.args.atom();
    if (ctx.args.try_sp()) ctx.args.atom();  // SASL-IR initial response
    ctx.args.end();
    return Reply::no("[UNAVAILABLE] AUTHENTICATE is not supported yet");
}

Reply cmd_starttls(CommandContext& ctx) {
    ctx.args.end();
    return Reply::bad("STARTTLS is not supported yet");
}

}  // namespace mail::imapd
