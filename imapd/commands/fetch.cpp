// FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8, 7.4.2). The response items
// come in Dovecot's order (see fetch_plan.hpp); body data is streamed from
// the message file (fetch_body.cpp); a message that another program removed
// since the last sync is left out and the command ends with
// "OK [EXPUNGEISSUED]" (RFC 5530), as Dovecot answers.
#include "imapd/commands/fetch_message.hpp"
#include "imapd/commands/fetch_plan.hpp"
#include "imapd/commands/fetch_set.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "imapd/session/session.hpp"

namespace mail::imapd {

namespace {

// What the parser accepts but this server does not offer yet.
void refuse_unsupported(const FetchRequest& request) {
    if (request.changed_since || request.vanished) throw ParseError("FETCH modifiers need CONDSTORE");
    for (const FetchItem& item : request.items) {
        switch (item.kind) {
        case FetchItem::Kind::ModSeq: throw ParseError("MODSEQ needs CONDSTORE");
        default: break;
        }
    }
}

}  // namespace

Reply cmd_fetch(CommandContext& ctx) {
    SequenceSet set = ctx.args.sequence_set();
    ctx.args.sp();
    FetchRequest request = parse_fetch(ctx.args);
    ctx.args.end();
    refuse_unsupported(request);

    Mailbox& mailbox = *ctx.session.mailbox();
    std::vector<size_t> indexes = message_indexes(mailbox, set, ctx.uid(), &ctx.session.saved_result());
    FetchPlan plan = plan_fetch(request.items, ctx.uid());
    MessageFetcher fetcher(ctx.session, mailbox, plan);
    bool vanished = false;
    for (size_t index : indexes)
        if (!fetcher.fetch(index)) vanished = true;
    if (plan.sets_seen) mailbox.flush();
    ctx.session.message_cache().flush();  // other sessions may use what we parsed
    if (vanished) return Reply::ok("[EXPUNGEISSUED] Some messages were already expunged");
    return Reply::ok("Fetch completed");
}

}  // namespace mail::imapd
