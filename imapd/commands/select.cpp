// SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2). Selecting closes the current
// mailbox first without expunging it; a failed SELECT leaves the session in
// the authenticated state with nothing selected.
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/protocol/flag_format.hpp"
#include "imapd/session/session.hpp"
#include "index/index_path.hpp"
#include "mailbox/name.hpp"

namespace mail::imapd {

namespace {

Reply open_mailbox(CommandContext& ctx, OpenMode mode, const char* command) {
    std::string name = ctx.args.mailbox();
    ctx.args.end();
    Session& s = ctx.session;
    Store& store = user_store(s);
    s.unselect();
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
    s.untagged(std::to_string(recent) + " RECENT");
    if (first_unseen) s.untagged("OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.");
    s.untagged("OK [UIDVALIDITY " + std::to_string(m.uidvalidity()) + "] UIDs valid");
    s.untagged("OK [UIDNEXT " + std::to_string(m.uidnext()) + "] Predicted next UID");
    bool read_only = m.read_only();
    Uid uidvalidity = m.uidvalidity();
    s.select(std::move(box), canonical_mailbox_name(name));
    // The mailbox's shared cache of parsed data (c-client/cache/cache_file.hpp).
    s.message_cache().attach(index_file_path(store.resolve(name).path, store.location().index_dir, "cache"),
                             uidvalidity);
    return Reply::ok(std::string(read_only ? "[READ-ONLY] " : "[READ-WRITE] ") + command + " completed");
}

}  // namespace

Reply cmd_select(CommandContext& ctx) { return open_mailbox(ctx, OpenMode::ReadWrite, "Select"); }

Reply cmd_examine(CommandContext& ctx) { return open_mailbox(ctx, OpenMode::ReadOnly, "Examine"); }

}  // namespace mail::imapd
