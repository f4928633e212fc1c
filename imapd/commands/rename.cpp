// RENAME (RFC 3501 6.3.5): the mailbox and every mailbox below it; renaming
// INBOX moves its messages into the new mailbox and leaves INBOX empty.
// The user's special uses (CREATE ... USE) move with the names.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "mailbox/special_use.hpp"

namespace mail::imapd {

Reply cmd_rename(CommandContext& ctx) {
    std::string from = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.sp();
    std::string to = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    Store& store = user_store(ctx.session);
    store.resolve(from);
    store.resolve(to);
    // A renamed selected mailbox would leave the session's view on a path
    // that no longer exists; close it (its messages are untouched).
    if (canonical_mailbox_name(from) != "INBOX" && is_selected(ctx.session, from)) ctx.session.unselect();
    store.rename(from, to);
    rename_user_special_use(store, from, to);  // CREATE ... (USE) entries follow the mailbox
    return Reply::ok("Rename completed");
}

}  // namespace mail::imapd
