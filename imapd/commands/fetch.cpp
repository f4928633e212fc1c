// FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8, 7.4.2). The response items
// come in Dovecot's order (see fetch_plan.hpp); body data is streamed from
// the message file (fetch_body.cpp); a message that another program removed
// since the last sync is left out and the command ends with
// "OK [EXPUNGEISSUED]" (RFC 5530), as Dovecot answers.
#include <algorithm>

#include "imapd/commands/fetch_message.hpp"
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/commands/fetch_plan.hpp"
#include "imapd/commands/fetch_set.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/modseq_view.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

namespace {

// RFC 7162: MODSEQ and CHANGEDSINCE turn CONDSTORE on (and need the
// mailbox's modseqs); VANISHED needs QRESYNC, UID FETCH and CHANGEDSINCE.
// Returns the modseq file when the fetch uses it.
ModseqFile* prepare_modseq(CommandContext& ctx, FetchRequest& request) {
    if (request.vanished) {
        if (!ctx.session.qresync()) throw ParseError("VANISHED needs QRESYNC enabled");
        if (!ctx.uid()) throw ParseError("VANISHED needs UID FETCH");
        if (!request.changed_since) throw ParseError("VANISHED needs CHANGEDSINCE");
    }
    bool asked = std::any_of(request.items.begin(), request.items.end(),
                             [](const FetchItem& i) { return i.kind == FetchItem::Kind::ModSeq; });
    if (!asked && !request.changed_since) return ctx.session.modseq();
    ModseqFile& file = require_modseq(ctx.session);
    if (!asked) {
        FetchItem item;
        item.kind = FetchItem::Kind::ModSeq;
        request.items.push_back(item);
    }
    return &file;
}

// UID FETCH ... (CHANGEDSINCE m VANISHED): the UIDs of the set expunged
// since m, as "* VANISHED (EARLIER) set" (RFC 7162 3.2.6).
void report_vanished(Session& s, const Mailbox& mailbox, const ModseqFile& file, const SequenceSet& set,
                     uint64_t since) {
    Uid top = mailbox.uidnext() > 0 ? mailbox.uidnext() - 1 : 0;
    SequenceSet uids = set.resolve(top);
    bool complete = true;
    std::vector<Uid> gone = file.expunged_since(since, complete);
    if (complete) {
        std::erase_if(gone, [&](Uid uid) { return !uids.contains(uid); });
    } else {  // forgotten history: every UID of the set that is not here
        gone.clear();
        uids.for_each([&](uint32_t uid) { if (uid <= top && !mailbox.index_of(uid)) gone.push_back(uid); });
    }
    if (!gone.empty()) s.untagged("VANISHED (EARLIER) " + uid_set_text(gone));
}

// RFC 7162 3.1.4.1: a FETCH that sets \Seen changes the message's modseq;
// the client learns it from an untagged FETCH (UID n MODSEQ (m)).
void record_seen(CommandContext& ctx, Mailbox& mailbox, ModseqFile& modseq, std::vector<size_t> indexes) {
    std::erase_if(indexes, [&](size_t i) { return !(mailbox.at(i).flags & kSeen); });
    if (indexes.empty()) return;
    uint64_t m = 0;
    {
        ModseqFile::Guard guard = modseq.lock();
        m = modseq.record(mailbox, indexes);
    }
    for (size_t i : indexes)
        ctx.session.untagged(std::to_string(i + 1) + " FETCH (UID " + std::to_string(mailbox.at(i).uid) +
                             " MODSEQ (" + std::to_string(m) + "))");
}

}  // namespace

Reply cmd_fetch(CommandContext& ctx) {
    SequenceSet set = ctx.args.sequence_set();
    ctx.args.sp();
    FetchRequest request = parse_fetch(ctx.args);
    ctx.args.end();
    ModseqFile* modseq = prepare_modseq(ctx, request);

    Mailbox& mailbox = *ctx.session.mailbox();
    std::vector<size_t> indexes = message_indexes(mailbox, set, ctx.uid(), &ctx.session.saved_result());
    if (request.changed_since && modseq) {
        if (request.vanished) report_vanished(ctx.session, mailbox, *modseq, set, *request.changed_since);
        std::erase_if(indexes, [&](size_t i) { return modseq->modseq_of(mailbox.at(i).uid) <= *request.changed_since; });
    }
    FetchPlan plan = plan_fetch(request.items, ctx.uid());
    MessageFetcher fetcher(ctx.session, mailbox, plan);
    bool vanished = false;
    std::vector<size_t> unseen;  // with CONDSTORE, \Seen set here gets a new MODSEQ
    if (modseq && plan.sets_seen && !mailbox.read_only())
        for (size_t index : indexes)
            if (!(mailbox.at(index).flags & kSeen)) unseen.push_back(index);
    for (size_t index : indexes)
        if (!fetcher.fetch(index)) vanished = true;
    if (plan.sets_seen) mailbox.flush();
    if (modseq) record_seen(ctx, mailbox, *modseq, unseen);
    ctx.session.message_cache().flush();  // other sessions may use what we parsed
    if (vanished) return Reply::ok("[EXPUNGEISSUED] Some messages were already expunged");
    return Reply::ok("Fetch completed");
}

}  // namespace mail::imapd
