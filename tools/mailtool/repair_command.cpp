// mailtool repair [-n] [-q] [-v] [-i INDEX_DIR] MAILBOX...
// Checks each mailbox, prints the problems (as check does), fixes what can
// be fixed without losing a message and says what it changed
// ("repaired: MAILBOX: WHAT", with -n "would: MAILBOX: WHAT"), then checks
// again. Exit 0 when every mailbox is sound afterwards, 1 when problems
// remain, 2 when one could not be checked, 75 when one is busy.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lock/uw_lock.hpp"
#include "tools/mailtool/check_command.hpp"
#include "tools/mailtool/repair.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail::tool {

void repair_files(const MailboxCheck& check, const RepairContext& ctx) {
    for (const StaleFile& f : check.stale_locks) {
        ctx.say("removed the " + f.why + " " + f.path);
        if (ctx.dry_run) continue;
        if (f.why == "stale UW lock") {
            // Removed while we hold it, as UW's unlockfd does, so that no
            // one locks the file we unlink.
            UniqueFd fd(::open(f.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            if (fd && flock_retry(fd.get(), LOCK_EX | LOCK_NB)) ::unlink(f.path.c_str());
        } else if (::unlink(f.path.c_str()) < 0 && errno != ENOENT) {
            throw MailError(ErrorKind::Io, "cannot remove " + f.path + ": " + std::strerror(errno));
        }
    }
    for (const StaleFile& f : check.damaged_files) {
        ctx.say("deleted " + f.why + " " + f.path + " (rebuilt at the next open)");
        if (!ctx.dry_run && ::unlink(f.path.c_str()) < 0 && errno != ENOENT)
            throw MailError(ErrorKind::Io, "cannot remove " + f.path + ": " + std::strerror(errno));
    }
}

int run_repair(const Args& args) {
    auto a = parse_check_args(args, true);
    if (!a) {
        std::fprintf(stderr, "usage: mailtool repair [-n] [-q] [-v] [-i INDEX_DIR] MAILBOX...\n");
        return kExitCannotCheck;
    }
    int status = 0;
    for (const std::string& name : a->mailboxes) {
        try {
            MailboxSpec spec = check_spec(name);
            MailboxCheck before = check_mailbox(spec, a->index_dir);
            print_findings(before, *a);
            RepairContext ctx;
            ctx.dry_run = a->dry_run;
            ctx.say = [&](const std::string& what) {
                if (!a->quiet)
                    std::printf("%s: %s: %s\n", a->dry_run ? "would" : "repaired", spec.path.c_str(), what.c_str());
            };
            repair_files(before, ctx);  // first: a stale lock would hold up the rest
            if (before.mbx) repair_mbx(before, ctx);
            if (before.unix_mbox) repair_unix(before, ctx);
            if (before.maildir) repair_maildir(before, ctx);
            if (a->dry_run) {
                if (before.findings.problems() && status == 0) status = kExitProblems;
                continue;
            }
            MailboxCheck after = check_mailbox(spec, a->index_dir);
            if (after.findings.problems()) {
                CheckArgs left = *a;
                left.verbose = false;
                if (!a->quiet) std::printf("left: %s: %zu problems\n", spec.path.c_str(), after.findings.problems());
                print_findings(after, left);
                if (status == 0) status = kExitProblems;
            }
        } catch (const MailError& e) {
            if (!a->quiet) std::fprintf(stderr, "mailtool repair: %s: %s\n", name.c_str(), e.what());
            status = e.kind() == ErrorKind::Busy ? 75 : kExitCannotCheck;
        }
        std::fflush(stdout);
    }
    return status;
}

}  // namespace mail::tool
