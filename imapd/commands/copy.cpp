// COPY and UID COPY (RFC 3501 6.4.7, COPYUID from RFC 4315), MOVE and
// UID MOVE (RFC 6851). Messages keep their flags (not \Recent), keywords
// (by name, into the target's table) and internal date. A failure part way
// removes what was already copied, so the target is unchanged.
#include "imapd/commands/mailbox_util.hpp"
#include "mailbox/copy.hpp"
#include "quota/quota.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

Reply copy_messages(CommandContext& ctx, bool move) {
    SequenceSet set = ctx.args.sequence_set();
    ctx.args.sp();
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    Session& s = ctx.session;
    Mailbox* box = s.mailbox();
    if (!box) throw MailError(ErrorKind::Invalid, "No mailbox selected");
    std::vector<size_t> indexes = message_indexes(*box, set, ctx.uid(), &ctx.session.saved_result());
    if (move && box->read_only()) throw MailError(ErrorKind::Permission, "Mailbox is read-only");
    TargetMailbox target = target_mailbox(s, name);  // the selected mailbox itself when it is the target
    // RFC 9208: over quota is NO [OVERQUOTA] before anything is written.
    // Only COPY is checked: a MOVE stays inside the user's one quota root,
    // so the usage does not grow once the source is expunged, and a user at
    // the limit must still be able to move mail to Trash (as Dovecot's
    // quota plugin allows a move within one root).
    if (!move) {
        uint64_t bytes = 0;
        for (size_t i : indexes) bytes += box->at(i).size;
        check_store_quota(user_store(s), bytes, indexes.size());
    }
    const char* done = move ? "Move completed" : "Copy completed";
    if (indexes.empty()) return Reply::ok(std::string("No messages matched; ") + done);

    std::vector<Uid> from, to;
    try {
        for (size_t i : indexes) {
            auto sink = target->append(copy_request(*box, i));
            copy_content(*box, i, *sink);
            to.push_back(sink->commit());
            from.push_back(box->at(i).uid);
        }
    } catch (const MailError& e) {
        remove_added(s, target, to);
        // A message another session expunged meanwhile: nothing is copied,
        // and the client is told why as Dovecot tells it (RFC 5530).
        if (e.kind() == ErrorKind::NotFound)
            return Reply::no("[EXPUNGEISSUED] Some of the requested messages no longer exist");
        throw;
    }
    std::string code = "[COPYUID " + std::to_string(target->uidvalidity()) + " " + uid_set_text(from) + " " +
                       uid_set_text(to) + "]";
    if (!move) return Reply::ok(code + " " + done);

    s.untagged("OK " + code + " Moved UIDs.");
    for (size_t i : indexes) box->change_flags(i, FlagChange::add(kDeleted));
    box->expunge(s, &from);
    if (ModseqFile* modseq = s.modseq()) {  // RFC 6851 4.4, as EXPUNGE: the new HIGHESTMODSEQ
        s.sync_mailbox(true);  // gives the expunges their modseq
        return Reply::ok("[HIGHESTMODSEQ " + std::to_string(modseq->highest()) + "] " + done);
    }
    return Reply::ok(done);
}

}  // namespace

Reply cmd_copy(CommandContext& ctx) { return copy_messages(ctx, false); }

Reply cmd_move(CommandContext& ctx) { return copy_messages(ctx, true); }

}  // namespace mail::imapd
