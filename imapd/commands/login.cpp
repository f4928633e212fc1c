// LOGIN (RFC 3501 6.2.3): user name and password as astrings, checked by
// the LoginService (PAM or passwd-file) of a root-started session.
#include "imapd/auth/login_service.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_login(CommandContext& ctx) {
    std::string user = ctx.args.astring();
    ctx.args.sp();
    std::string password = ctx.args.astring();
    ctx.args.end();
    LoginService* login = ctx.session.options().login;
    if (!login) return Reply::no("[UNAVAILABLE] LOGIN is not available in this session");
    return login->login(ctx.session, user, password, "LOGIN");
}

}  // namespace mail::imapd
