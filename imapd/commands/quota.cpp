// QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT, SETQUOTA. Each user has one
// quota root, "", over all the user's mailboxes, with the resources STORAGE
// (units of 1024 octets) and MESSAGE that the configuration limits
// (quota_storage, quota_messages); with neither set there is no root.
// SETQUOTA is refused: the limits come from the configuration (QUOTASET is
// not advertised). APPEND, COPY and MOVE enforce the limits (quota/quota.hpp).
#include "imapd/commands/mailbox_util.hpp"
#include "imapd/session/mailbox_names.hpp"
#include "imapd/session/session.hpp"
#include "quota/quota.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

// "* QUOTA "" (STORAGE used limit MESSAGE used limit)", limited resources only.
void send_quota(Session& s, const Store& store) {
    const StoreSettings& limits = store.settings();
    QuotaUsage used = store_usage(store, limits.quota_messages != 0);
    std::string line = "QUOTA \"\" (";
    if (limits.quota_storage) {
        // Rounded up, so that a non-empty mailbox never shows 0.
        line += "STORAGE " + std::to_string((used.bytes + 1023) / 1024) + " " +
                std::to_string(limits.quota_storage / 1024);
    }
    if (limits.quota_messages) {
        if (limits.quota_storage) line += ' ';
        line += "MESSAGE " + std::to_string(used.messages) + " " + std::to_string(limits.quota_messages);
    }
    s.untagged(line + ")");
}

}  // namespace

Reply cmd_getquota(CommandContext& ctx) {
    std::string root = ctx.args.astring();
    ctx.args.end();
    Store& store = user_store(ctx.session);
    if (!root.empty() || !quota_limited(store.settings()))
        throw MailError(ErrorKind::NotFound, "No such quota root");
    send_quota(ctx.session, store);
    return Reply::ok("Getquota completed");
}

Reply cmd_getquotaroot(CommandContext& ctx) {
    std::string name = name_from_client(ctx.session, ctx.args.mailbox());
    ctx.args.end();
    Store& store = user_store(ctx.session);
    if (!store.resolve(name).driver && canonical_mailbox_name(name) != "INBOX")
        throw MailError(ErrorKind::NotFound, "Mailbox does not exist");
    bool limited = quota_limited(store.settings());
    ctx.session.untagged("QUOTAROOT " + name_astring_to_client(ctx.session, name) + (limited ? " \"\"" : ""));
    if (limited) send_quota(ctx.session, store);
    return Reply::ok("Getquotaroot completed");
}

Reply cmd_setquota(CommandContext& ctx) {
    ctx.args.astring();
    ctx.args.sp();
    ctx.args.open_paren();
    while (ctx.args.peek() != ')') {
        ctx.args.count_item();
        ctx.args.atom();
        ctx.args.sp();
        ctx.args.number64();
        if (!ctx.args.try_sp()) break;
    }
    ctx.args.close_paren();
    ctx.args.end();
    return Reply::no("[NOPERM] Quota limits are set in the server's configuration");
}

}  // namespace mail::imapd
