// Maildir repair under dovecot-uidlist.lock (Dovecot's dot lock, which the
// driver takes too): missing cur/new/tmp made, stale tmp files removed,
// files renamed to their true S= size and clean flags, the uidlist rewritten
// (through the lock file, renamed over it) with entries for files that had
// none, without entries for files that are gone, renumbered with a new
// UIDVALIDITY when its UIDs were out of order or it was damaged.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "drivers/maildir/lock.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "tools/mailtool/repair.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw MailError(ErrorKind::Io, what + ": " + std::strerror(errno));
}

std::string random_guid() {
    std::random_device rd;
    static const char hex[] = "0123456789abcdef";
    std::string g;
    for (int i = 0; i < 32; ++i) g += hex[rd() % 16];
    return g;
}

}  // namespace

void repair_maildir(const MailboxCheck& check, const RepairContext& ctx) {
    const MaildirPlan& seen = check.maildir->plan;
    const std::string& path = check.spec.path;
    for (const std::string& dir : seen.make_dirs) {
        ctx.say("made " + dir + "/");
        if (!ctx.dry_run && ::mkdir((path + "/" + dir).c_str(), 0700) < 0 && errno != EEXIST) fail("cannot make " + dir);
    }
    for (const std::string& name : seen.remove_tmp) {
        ctx.say("removed the stale tmp/" + name);
        if (!ctx.dry_run && ::unlink((path + "/tmp/" + name).c_str()) < 0 && errno != ENOENT)
            fail("cannot remove tmp/" + name);
    }
    if (seen.renames.empty() && !seen.rewrite_uidlist) return;
    if (ctx.dry_run) {
        for (const auto& r : seen.renames) ctx.say("would rename " + r.dir + "/" + r.from + " to " + r.to);
        if (seen.rewrite_uidlist)
            ctx.say(std::string("would rewrite dovecot-uidlist") + (seen.renumber ? ", renumbered with a new UIDVALIDITY" : ""));
        return;
    }
    maildir::DotLock lock = maildir::DotLock::acquire(path + "/dovecot-uidlist");
    // What is there now, under the lock.
    MailboxCheck now = check_mailbox(check.spec, "");
    MaildirPlan plan = now.maildir->plan;
    for (const auto& r : plan.renames) {
        std::string from = path + "/" + r.dir + "/" + r.from, to = path + "/" + r.dir + "/" + r.to;
        if (::access(to.c_str(), F_OK) == 0) continue;  // never overwrite a message
        if (::rename(from.c_str(), to.c_str()) < 0) {
            if (errno == ENOENT) continue;  // moved or flagged by a client meanwhile
            fail("cannot rename " + from);
        }
        ctx.say("renamed " + r.dir + "/" + r.from + " to " + r.to);
    }
    if (!plan.rewrite_uidlist) return;
    maildir::Uidlist& list = plan.list;
    if (plan.renumber) {
        Uid old = list.uidvalidity;
        list.uidvalidity = new_uidvalidity(old);
        ctx.say("renumbered dovecot-uidlist: " + std::to_string(list.records.size()) + " messages as UIDs 1-" +
                std::to_string(list.records.size()) + ", UIDVALIDITY " + std::to_string(old) + " -> " +
                std::to_string(list.uidvalidity));
    } else {
        ctx.say("rewrote dovecot-uidlist: " + std::to_string(list.records.size()) + " entries, next UID " +
                std::to_string(list.next_uid));
    }
    if (list.guid.empty()) list.guid = random_guid();
    list.version = 3;
    lock.replace(maildir::format_uidlist(list), true);
}

}  // namespace mail::tool
