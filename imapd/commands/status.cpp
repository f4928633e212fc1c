// STATUS (RFC 3501 6.3.10, SIZE from RFC 8438). The selected mailbox is
// answered from the session's view, other mailboxes are opened read-only.
// Items are written in a fixed order, as Dovecot writes them.
#include "imapd/commands/status.hpp"

#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/mailbox_requests.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/modseq_view.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "mailbox/mailbox_id.hpp"

namespace mail::imapd {

void send_status(Session& s, const std::string& name, const std::vector<StatusItem>& items_wanted) {
    StatusRequest req{name, items_wanted};
    unsigned wanted = 0;
    for (StatusItem item : req.items) wanted |= item;
    std::unique_ptr<Mailbox> opened;
    Mailbox* box = nullptr;
    if (is_selected(s, req.mailbox)) {
        box = s.mailbox();
    } else {
        opened = user_store(s).open(req.mailbox, OpenMode::ReadOnly);
        box = opened.get();
    }
    uint64_t highest_modseq = 0;  // 0 for a mailbox without modseqs (RFC 7162 3.1.2.2)
    if (wanted & kStatusHighestModSeq) {
        s.use_condstore();  // STATUS HIGHESTMODSEQ is a CONDSTORE enabling command
        if (opened || !s.modseq()) {
            if (auto file = open_modseq_file(user_store(s), req.mailbox, *box)) highest_modseq = file->highest();
        } else {
            highest_modseq = s.modseq()->highest();
        }
    }
    uint64_t recent = 0, unseen = 0, size = 0, deleted = 0;
    for (const MessageInfo& m : box->messages()) {
        if (m.flags & kRecent) ++recent;
        if (!(m.flags & kSeen)) ++unseen;
        if (m.flags & kDeleted) ++deleted;
        size += m.size;
    }
    std::string items;
    auto add = [&](StatusItem item, const char* name, uint64_t value) {
        if (!(wanted & item)) return;
        if (!items.empty()) items += ' ';
        items += name;
        items += ' ';
        items += std::to_string(value);
    };
    add(kStatusMessages, "MESSAGES", box->count());
    add(kStatusRecent, "RECENT", recent);
    add(kStatusUidNext, "UIDNEXT", box->uidnext());
    add(kStatusUidValidity, "UIDVALIDITY", box->uidvalidity());
    add(kStatusUnseen, "UNSEEN", unseen);
    add(kStatusDeleted, "DELETED", deleted);
    add(kStatusHighestModSeq, "HIGHESTMODSEQ", highest_modseq);
    add(kStatusSize, "SIZE", size);
    if (wanted & kStatusMailboxId) {
        if (!items.empty()) items += ' ';
        items += "MAILBOXID (" + mailbox_id(user_store(s), req.mailbox, *box) + ")";
    }
    s.untagged("STATUS " + name_astring_to_client(s, req.mailbox) + " (" + items + ")");
}

void check_status_items(Session& s, const std::vector<StatusItem>& items) {
    for (StatusItem item : items)
        if (item == kStatusRecent && s.rev2()) throw ParseError("RECENT is not a STATUS item in IMAP4rev2");
}

Reply cmd_status(CommandContext& ctx) {
    StatusRequest req = parse_status(ctx.args);
    req.mailbox = name_from_client(ctx.session, req.mailbox);
    check_status_items(ctx.session, req.items);
    send_status(ctx.session, req.mailbox, req.items);
    return Reply::ok("Status completed");
}

}  // namespace mail::imapd
