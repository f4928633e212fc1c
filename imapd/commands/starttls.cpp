// STARTTLS (RFC 3501 6.2.1, RFC 2595): the tagged OK goes out in plaintext,
// then the TLS handshake runs before the next command is read.
#include "imapd/auth/login_service.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

Reply cmd_starttls(CommandContext& ctx) {
    ctx.args.end();
    LoginService* login = ctx.session.options().login;
    if (!login) return Reply::bad("STARTTLS is not available in this session");
    return login->start_tls(ctx.session);
}

}  // namespace mail::imapd
