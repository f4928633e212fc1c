// STORE and UID STORE (RFC 3501 6.4.6, 6.4.8): FLAGS, +FLAGS, -FLAGS and
// their .SILENT forms, system flags and keywords. New keywords are added to
// the mailbox's table; when it grows the session sends FLAGS and
// PERMANENTFLAGS first. As Dovecot does, only messages whose flags changed
// get an untagged FETCH (with UID for UID STORE), and a STORE on a read-only
// mailbox is answered "OK Store ignored".
#include <optional>

#include "imapd/commands/fetch_set.hpp"
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/flag_format.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/store_request.hpp"
#include "imapd/session/modseq_view.hpp"
#include "imapd/session/protocol_mode.hpp"
#include "imapd/session/session.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

// The keyword bits the request names; creates them unless removing. `full`
// is set when the mailbox's table has no room for one of them.
KeywordMask keyword_mask(Mailbox& mailbox, const StoreRequest& request, bool& full) {
    KeywordMask mask = 0;
    bool create = request.op != StoreRequest::Op::Remove;
    for (const std::string& name : request.flags.keywords) {
        std::optional<size_t> bit = mailbox.keyword_bit(name, create);
        if (bit && *bit < kMaxKeywords) mask |= KeywordMask{1} << *bit;
        else if (create) full = true;
    }
    return mask;
}

}  // namespace

Reply cmd_store(CommandContext& ctx) {
    SequenceSet set = ctx.args.sequence_set();
    ctx.args.sp();
    StoreRequest request = parse_store(ctx.args);  // ends the arguments
    Session& session = ctx.session;
    // RFC 7162 3.1.3: UNCHANGEDSINCE turns CONDSTORE on.
    ModseqFile* modseq = request.unchanged_since ? &require_modseq(session) : session.modseq();
    Mailbox& mailbox = *session.mailbox();
    std::vector<size_t> indexes = message_indexes(mailbox, set, ctx.uid(), &ctx.session.saved_result());
    if (mailbox.read_only()) return Reply::ok("Store ignored with read-only mailbox.");

    const size_t keywords_before = mailbox.keywords().size();
    bool full = false;
    KeywordMask keywords = keyword_mask(mailbox, request, full);
    if (mailbox.keywords().size() != keywords_before) session.keywords_changed();
    const size_t keywords_told = mailbox.keywords().size();
    if (full) throw MailError(ErrorKind::Invalid, "[LIMIT] Too many keywords in this mailbox");
    FlagChange change{FlagChange::Op::Replace, request.flags.flags & kStorableFlags, keywords};
    if (request.op == StoreRequest::Op::Add) change.op = FlagChange::Op::Add;
    if (request.op == StoreRequest::Op::Remove) change.op = FlagChange::Op::Remove;

    // The modseq lock is held from the UNCHANGEDSINCE test to the record of
    // the change, so that no other session's change comes between.
    std::optional<ModseqFile::Guard> guard;
    if (modseq) guard.emplace(modseq->lock());
    std::vector<size_t> changed, modified;
    for (size_t index : indexes) {
        const MessageInfo& m = mailbox.at(index);
        if (request.unchanged_since && modseq->modseq_of(m.uid) > *request.unchanged_since) {
            modified.push_back(index);
            continue;
        }
        try {
            if (!mailbox.change_flags(index, change)) continue;
        } catch (const MailError& e) {
            if (e.kind() != ErrorKind::NotFound) throw;
            continue;  // removed by another program: its expunge comes at the next sync
        }
        changed.push_back(index);
    }
    mailbox.flush();
    // The stored flags may hold keywords another session created (unix):
    // FLAGS before the FETCH that shows them (RFC 3501 7.2.6).
    if (mailbox.keywords().size() != keywords_told) session.keywords_changed();
    uint64_t new_modseq = modseq && !changed.empty() ? modseq->record(mailbox, changed) : 0;
    guard.reset();
    for (size_t index : changed) {
        // With CONDSTORE the client learns each new MODSEQ, even for .SILENT (RFC 7162 3.1.3).
        if (request.silent && !modseq) continue;
        const MessageInfo& now = mailbox.at(index);
        std::string line = std::to_string(index + 1) + " FETCH (";
        if (ctx.uid() || modseq) line += "UID " + std::to_string(now.uid) + " ";
        // MODSEQ before FLAGS, as Dovecot answers STORE.
        if (modseq) line += "MODSEQ (" + std::to_string(new_modseq) + ")";
        if (!request.silent) {
            if (modseq) line += ' ';
            line += "FLAGS ";
            append_flag_list(line, visible_flags(now.flags, session.rev2()), now.keywords, mailbox.keywords());
        }
        line += ')';
        session.untagged(line);
    }
    if (!modified.empty()) {
        std::vector<Uid> numbers;
        for (size_t index : modified)
            numbers.push_back(ctx.uid() ? mailbox.at(index).uid : static_cast<Uid>(index + 1));
        return Reply::ok("[MODIFIED " + uid_set_text(numbers) + "] Conditional STORE failed");
    }
    // A message another session expunged is skipped and the rest stored:
    // OK, as Dovecot answers (RFC 2180 4.2.1); clients take NO as a failed
    // STORE. Its EXPUNGE comes at the next sync.
    return Reply::ok("Store completed");
}

}  // namespace mail::imapd
