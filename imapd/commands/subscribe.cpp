// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7). The subscription list
// is the Store's (Dovecot's "subscriptions" file for maildir). Names are
// checked for validity but need not exist, as RFC 3501 allows.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_subscribe(CommandContext& ctx) {
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    user_store(ctx.session).subscribe(name);
    return Reply::ok("Subscribe completed");
}

Reply cmd_unsubscribe(CommandContext& ctx) {
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    try {
        user_store(ctx.session).unsubscribe(name);
    } catch (const MailError& e) {
        // Unsubscribing a name that is not subscribed is no error (Dovecot).
        if (e.kind() != ErrorKind::NotFound) throw;
    }
    return Reply::ok("Unsubscribe completed");
}

}  // namespace mail::imapd
