// CREATE (RFC 3501 6.3.3): intermediate levels come into being as needed,
// INBOX always exists. A trailing separator ("a/": names will be created
// under it) makes a \Noselect directory in mbx and unix stores, where a
// mailbox file cannot have children; Maildir++ drops it and creates "a".
// CREATE-SPECIAL-USE (RFC 6154 3): "CREATE name (USE (\Sent))" records the
// uses in the user's special-use file; an unknown use is NO [USEATTR] and
// creates nothing.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/create_request.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/mailbox_id.hpp"
#include "mailbox/name.hpp"
#include "mailbox/special_use.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_create(CommandContext& ctx) {
    CreateRequest req = parse_create(ctx.args);
    req.mailbox = name_from_client(ctx.session, req.mailbox);
    std::vector<std::string> uses;
    for (const std::string& u : req.uses) {
        std::string attribute = special_use_attribute(u);
        if (attribute.empty()) return Reply::no("[USEATTR] Unsupported special-use attribute " + u);
        uses.push_back(attribute);
    }
    if (canonical_mailbox_name(req.mailbox) == "INBOX") throw MailError(ErrorKind::Exists, "Mailbox already exists");
    Store& store = user_store(ctx.session);
    store.create(req.mailbox);
    set_user_special_use(store, canonical_mailbox_name(req.mailbox), uses);
    // RFC 8474 4.1: the new mailbox's id in the tagged OK.
    std::string id;
    try {
        id = mailbox_id(store, req.mailbox, *store.open(req.mailbox, OpenMode::ReadOnly));
    } catch (const MailError&) {
        // a \Noselect level (a name ending in the separator) has no id
    }
    if (id.empty()) return Reply::ok("Create completed");
    return Reply::ok("[MAILBOXID (" + id + ")] Create completed");
}

}  // namespace mail::imapd
