// mbx repair, in place as UW's mbx driver itself writes (the format is
// made for it): the header (last UID, keyword slots, PID field) and the
// status fields of renumbered messages, under UW's /tmp parse lock; with
// flock(LOCK_EX) on the file when UIDs are renumbered, so that no session
// has it open meanwhile. A cut-off append at the end (never acknowledged)
// is cut off, as imapd's open does.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "lock/uw_lock.hpp"
#include "tools/mailtool/repair.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail::tool {

namespace {

void pwrite_all(int fd, const std::string& data, uint64_t off) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw MailError(ErrorKind::Io, std::string("cannot write the mailbox: ") + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
}

MbxAnalysis analyze_fd(int fd) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, std::string("cannot stat: ") + std::strerror(errno));
    ReadAt read = [fd](uint64_t off, char* buf, size_t n) {
        ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(off));
        return r < 0 ? size_t{0} : static_cast<size_t>(r);
    };
    return analyze_mbx(read, static_cast<uint64_t>(st.st_size));
}

}  // namespace

Uid new_uidvalidity(Uid old) {
    Uid now = static_cast<Uid>(::time(nullptr));
    return now > old ? now : old + 1;
}

void repair_mbx(const MailboxCheck& check, const RepairContext& ctx) {
    const MbxPlan& seen = check.mbx->plan;
    if (!seen.header_ok || seen.damaged) {
        if (check.findings.problems()) ctx.say("not repaired: the message lines cannot be walked; nothing changed");
        return;
    }
    if (!seen.rewrite_header && !seen.renumber && !seen.partial_tail) return;
    const std::string& path = check.spec.path;
    UniqueFd fd(::open(path.c_str(), (ctx.dry_run ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (!fd) throw MailError(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
    UwParseLock parse = UwParseLock::acquire(fd.get(), LOCK_EX);
    const bool exclusive = seen.renumber || seen.partial_tail;
    if (!flock_retry(fd.get(), (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB))
        throw MailError(ErrorKind::Busy, path + " is open in another session; repair it when it is closed");
    MbxAnalysis now = analyze_fd(fd.get());  // what is there under the locks
    MbxPlan& plan = now.plan;
    if (plan.damaged || (plan.renumber && !exclusive)) {
        ::flock(fd.get(), LOCK_UN);
        throw MailError(ErrorKind::Busy, path + " changed while being repaired; run repair again");
    }
    if (plan.partial_tail) {
        uint64_t end = mbx::kHeaderSize;
        if (!plan.entries.empty()) end = plan.entries.back().offset + plan.entries.back().line_length + plan.entries.back().size;
        ctx.say("cut off the partial message at offset " + std::to_string(end) + " (an append that never finished)");
        if (!ctx.dry_run && ::ftruncate(fd.get(), static_cast<off_t>(end)) < 0)
            throw MailError(ErrorKind::Io, "cannot truncate " + path + ": " + std::strerror(errno));
    }
    if (plan.renumber) {
        Uid old = plan.header.uidvalidity;
        plan.header.uidvalidity = new_uidvalidity(old);
        Uid uid = 0;
        for (const MbxEntry& e : plan.entries) {
            ++uid;
            if (!ctx.dry_run)
                pwrite_all(fd.get(), mbx::format_status(e.keywords, e.flags, uid),
                           e.offset + e.line_length - mbx::kStatusFromLineEnd);
        }
        plan.header.last_uid = uid;
        ctx.say("renumbered " + std::to_string(uid) + " messages (holes included) as UIDs 1-" + std::to_string(uid) +
                ", UIDVALIDITY " + std::to_string(old) + " -> " + std::to_string(plan.header.uidvalidity));
    }
    if (plan.rewrite_header) {
        plan.header.last_pid = static_cast<uint32_t>(::getpid());
        if (!ctx.dry_run) pwrite_all(fd.get(), mbx::format_header(plan.header), 0);
        std::string kws;
        for (const auto& k : plan.header.keywords)
            if (!k.empty()) kws += " " + k;
        ctx.say("rewrote the header: last UID " + std::to_string(plan.header.last_uid) + ", keywords:" +
                (kws.empty() ? std::string(" none") : kws));
    }
    if (!ctx.dry_run && ::fsync(fd.get()) < 0)
        throw MailError(ErrorKind::Io, "cannot sync " + path + ": " + std::strerror(errno));
    ::flock(fd.get(), LOCK_UN);
}

}  // namespace mail::tool
