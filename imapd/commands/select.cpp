// SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2). Selecting closes the current
// mailbox first without expunging it; a failed SELECT leaves the session in
// the authenticated state with nothing selected.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/flag_format.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/protocol/select_params.hpp"
#include "imapd/session/modseq_view.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "index/index_path.hpp"
#include "mailbox/mailbox_id.hpp"
#include "mailbox/name.hpp"

namespace mail::imapd {

namespace {

// RFC 7162 3.2.5: what changed since the client's modseq, VANISHED
// (EARLIER) first, then FETCH with UID, FLAGS and MODSEQ.
void resync(Session& s, ModseqFile& file, const QresyncParams& q) {
    Mailbox& m = *s.mailbox();
    if (q.uidvalidity != m.uidvalidity()) return;
    bool complete = true;
    std::vector<Uid> gone = file.expunged_since(q.modseq, complete);
    std::optional<SequenceSet> known;
    if (q.known_uids) known = q.known_uids->resolve(m.uidnext() > 0 ? m.uidnext() - 1 : 0);
    if (!complete) {  // history forgotten: every known UID that is not here
        gone.clear();
        Uid top = m.uidnext() > 0 ? m.uidnext() - 1 : 0;
        if (known) known->for_each([&](uint32_t uid) { if (uid <= top && !m.index_of(uid)) gone.push_back(uid); });
        else for (Uid uid = 1; uid <= top && gone.size() < 1000000; ++uid) if (!m.index_of(uid)) gone.push_back(uid);
    } else if (known) {
        std::erase_if(gone, [&](Uid uid) { return !known->contains(uid); });
    }
    if (!gone.empty()) s.untagged("VANISHED (EARLIER) " + uid_set_text(gone));
    for (size_t i = 0; i < m.count(); ++i)
        if (file.modseq_of(m.at(i).uid) > q.modseq) s.flags_changed(i + 1);
}

Reply open_mailbox(CommandContext& ctx, OpenMode mode, const char* command) {
    Session& s = ctx.session;
    // RFC 3501 6.3.1: any SELECT, even one that fails (NO, or BAD for its
    // arguments, as Dovecot), closes the current mailbox first. RFC 9051
    // 6.3.2, RFC 7162 3.2.11: the client learns that the previous mailbox's
    // responses have ended; Dovecot sends it in every mode.
    if (s.mailbox()) s.untagged("OK [CLOSED] Previous mailbox closed.");
    s.unselect();
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    SelectParams params = parse_select_params(ctx.args);
    if (params.qresync && !s.qresync()) throw ParseError("QRESYNC must be enabled first");
    Store& store = user_store(s);
    auto box = store.open(name, mode);
    const Mailbox& m = *box;

    std::string line = "FLAGS ";
    append_flag_list(line, kStorableFlags, ~KeywordMask{0}, m.keywords());
    s.untagged(line);
    if (m.read_only()) {
        s.untagged("OK [PERMANENTFLAGS ()] Read-only mailbox.");
    } else {
        line = "OK [PERMANENTFLAGS ";
        append_flag_list(line, kStorableFlags, ~KeywordMask{0}, m.keywords());
        line.insert(line.size() - 1, " \\*");
        s.untagged(line + "] Flags permitted.");
    }
    size_t recent = 0, first_unseen = 0;
    for (size_t i = 0; i < m.count(); ++i) {
        if (m.at(i).flags & kRecent) ++recent;
        if (!first_unseen && !(m.at(i).flags & kSeen)) first_unseen = i + 1;
    }
    s.untagged(std::to_string(m.count()) + " EXISTS");
    if (s.rev2()) {
        // RFC 9051 6.3.2: no RECENT and no UNSEEN code; a LIST response
        // gives the mailbox's name as the server knows it.
        s.untagged("LIST () \"" + std::string(1, kHierarchySeparator) + "\" " +
                   name_astring_to_client(s, canonical_mailbox_name(name)));
    } else {
        s.untagged(std::to_string(recent) + " RECENT");
        if (first_unseen) s.untagged("OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.");
    }
    s.untagged("OK [UIDVALIDITY " + std::to_string(m.uidvalidity()) + "] UIDs valid");
    s.untagged("OK [UIDNEXT " + std::to_string(m.uidnext()) + "] Predicted next UID");
    s.untagged("OK [MAILBOXID (" + mailbox_id(store, name, m) + ")] Ok");
    bool read_only = m.read_only();
    Uid uidvalidity = m.uidvalidity();
    if (params.condstore) s.enable("CONDSTORE");  // nothing selected: HIGHESTMODSEQ comes below
    s.select(std::move(box), canonical_mailbox_name(name));
    // The mailbox's shared cache of parsed data (c-client/cache/cache_file.hpp).
    s.message_cache().attach(index_file_path(store.resolve(name).path, store.location().index_dir, "cache"),
                             uidvalidity);
    if (s.condstore()) {
        if (ModseqFile* file = s.modseq()) {
            s.untagged("OK [HIGHESTMODSEQ " + std::to_string(file->highest()) + "] Highest");
            if (params.qresync) resync(s, *file, *params.qresync);
        } else {
            s.untagged("OK [NOMODSEQ] No permanent modsequences");
        }
    }
    return Reply::ok(std::string(read_only ? "[READ-ONLY] " : "[READ-WRITE] ") + command + " completed");
}

}  // namespace

Reply cmd_select(CommandContext& ctx) { return open_mailbox(ctx, OpenMode::ReadWrite, "Select"); }

Reply cmd_examine(CommandContext& ctx) { return open_mailbox(ctx, OpenMode::ReadOnly, "Examine"); }

}  // namespace mail::imapd
