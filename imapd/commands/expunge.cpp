// EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315 2.1): removes the
// \Deleted messages (only those in the UID set for UID EXPUNGE), reporting
// each as "* n EXPUNGE" before the tagged OK.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

Reply cmd_expunge(CommandContext& ctx) {
    std::vector<Uid> only;
    bool uid = ctx.uid();
    SequenceSet set;
    if (uid) set = ctx.args.sequence_set();
    ctx.args.end();
    Session& s = ctx.session;
    Mailbox* box = s.mailbox();
    if (!box) throw MailError(ErrorKind::Invalid, "No mailbox selected");
    // As Dovecot: nothing to do in a mailbox opened with EXAMINE, and no error.
    if (box->read_only()) return Reply::ok("Expunge ignored on a read-only mailbox");
    if (uid) {
        for (size_t i : message_indexes(*box, set, true, &s.saved_result())) only.push_back(box->at(i).uid);
        if (only.empty()) return Reply::ok("Expunge completed");
    }
    box->flush();
    box->expunge(s, uid ? &only : nullptr);
    if (ModseqFile* modseq = s.modseq()) {  // RFC 7162 3.2.10: the new HIGHESTMODSEQ
        s.sync_mailbox(true);  // gives the expunges their modseq
        return Reply::ok("[HIGHESTMODSEQ " + std::to_string(modseq->highest()) + "] Expunge completed");
    }
    return Reply::ok("Expunge completed");
}

}  // namespace mail::imapd
