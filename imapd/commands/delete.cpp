// DELETE (RFC 3501 6.3.4). INBOX cannot be deleted. A mailbox with children
// loses its messages and stays as a \Noselect level, as the RFC describes
// (Dovecot's maildir keeps it selectable instead). In mbx and unix stores a
// \Noselect level is a directory, deleted once it holds no mailbox
// ([HASCHILDREN] otherwise). Deleting the selected mailbox closes it first.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/name.hpp"
#include "mailbox/special_use.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_delete(CommandContext& ctx) {
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    if (canonical_mailbox_name(name) == "INBOX") throw MailError(ErrorKind::Invalid, "INBOX cannot be deleted");
    Store& store = user_store(ctx.session);
    store.resolve(name);  // a bad name is refused before anything is closed
    if (is_selected(ctx.session, name)) ctx.session.unselect();
    store.remove(name);
    set_user_special_use(store, name, {});  // its CREATE ... (USE) entry goes with it
    return Reply::ok("Delete completed");
}

}  // namespace mail::imapd
