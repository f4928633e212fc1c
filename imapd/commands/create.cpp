// CREATE (RFC 3501 6.3.3): a trailing separator is dropped ("a/" creates
// "a"), intermediate levels come into being as needed, INBOX always exists.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_create(CommandContext& ctx) {
    std::string name = ctx.args.mailbox();
    ctx.args.end();
    if (canonical_mailbox_name(name) == "INBOX") throw MailError(ErrorKind::Exists, "Mailbox already exists");
    user_store(ctx.session).create(name);
    return Reply::ok("Create completed");
}

}  // namespace mail::imapd
