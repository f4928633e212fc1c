// Berkeley mbox repair: a new file written beside the old one and renamed
// over it, under every lock a writer takes (dot lock, fcntl, flock: the
// driver's MboxLock), refused while a UW session has the file open. The
// new file has the same bytes but for: X-UID lines renumbered 1..n with a
// new UIDVALIDITY in X-IMAP/X-IMAPbase (when UIDs were out of order), and
// the blank lines (and final newline) that messages lacked.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "drivers/unix/lock.hpp"
#include "drivers/unix/status_headers.hpp"
#include "tools/mailtool/repair.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mail::tool {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw MailError(ErrorKind::Io, what + ": " + std::strerror(errno));
}

class Copier {
public:
    Copier(int in, int out) : in_(in), out_(out) {}
    void bytes(std::string_view s) {
        size_t done = 0;
        while (done < s.size()) {
            ssize_t n = ::write(out_, s.data() + done, s.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("cannot write the new mailbox");
            done += static_cast<size_t>(n);
        }
    }
    std::string read(uint64_t from, uint64_t to) {
        std::string s(to - from, '\0');
        size_t got = 0;
        while (got < s.size()) {
            ssize_t n = ::pread(in_, s.data() + got, s.size() - got, static_cast<off_t>(from + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail("cannot read the mailbox");
            got += static_cast<size_t>(n);
        }
        return s;
    }
    void range(uint64_t from, uint64_t to) {
        constexpr uint64_t kChunk = 1 << 20;
        for (uint64_t at = from; at < to; at += kChunk) bytes(read(at, std::min(to, at + kChunk)));
    }

private:
    int in_, out_;
};

std::string base_line(bool pseudo, const unixmbox::MailboxBase& b) {
    char buf[64];
    if (pseudo) std::snprintf(buf, sizeof buf, "X-IMAP: %010u %010u", b.uidvalidity, b.uid_last);
    else std::snprintf(buf, sizeof buf, "X-IMAPbase: %u %u", b.uidvalidity, b.uid_last);
    std::string line = buf;
    for (const auto& k : b.keywords) line += " " + k;
    return line + "\n";
}

}  // namespace

void repair_unix(const MailboxCheck& check, const RepairContext& ctx) {
    const UnixPlan& seen = check.unix_mbox->plan;
    if (!seen.mbox_ok || seen.unrepairable) {
        if (check.findings.problems()) ctx.say("not repaired: the file is not an mbox that can be walked; nothing changed");
        return;
    }
    if (!seen.renumber && seen.newlines.empty()) return;
    const std::string& path = check.spec.path;
    unixmbox::MboxLock lock = unixmbox::MboxLock::acquire(path, true, !ctx.dry_run);
    if (unixmbox::uw_session_active(lock.fd()))
        throw MailError(ErrorKind::Busy, path + " is open in a UW session; repair it when it is closed");
    struct stat st;
    if (::fstat(lock.fd(), &st) < 0) fail("cannot stat " + path);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    unixmbox::MboxScanner scanner;
    unixmbox::scan_file(lock.fd(), 0, size, scanner);
    scanner.finish(size);
    char last = '\n';
    if (size && ::pread(lock.fd(), &last, 1, static_cast<off_t>(size - 1)) != 1) fail("cannot read " + path);
    UnixAnalysis now = analyze_unix(scanner.messages(), scanner.bad(), size, last == '\n');
    const UnixPlan& plan = now.plan;
    const auto& msgs = scanner.messages();
    if (!plan.mbox_ok || plan.unrepairable || msgs.empty()) throw MailError(ErrorKind::Busy, path + " changed; run repair again");

    const bool pseudo = msgs.front().pseudo;
    unixmbox::MailboxBase base = msgs.front().base.value_or(unixmbox::MailboxBase{});
    const size_t real = msgs.size() - (pseudo ? 1 : 0);
    if (plan.renumber) {
        Uid old = base.uidvalidity;
        base.uidvalidity = new_uidvalidity(old);
        base.uid_last = static_cast<uint32_t>(real);
        ctx.say("renumbered " + std::to_string(real) + " messages as UIDs 1-" + std::to_string(real) +
                ", UIDVALIDITY " + std::to_string(old) + " -> " + std::to_string(base.uidvalidity));
    }
    std::map<uint64_t, unsigned> newlines(plan.newlines.begin(), plan.newlines.end());
    for (const auto& [at, n] : newlines)
        ctx.say("added " + std::to_string(n) + " newline" + (n > 1 ? "s" : "") + " at offset " + std::to_string(at) +
                (at == size ? " (the end)" : ""));
    if (ctx.dry_run) return;

    std::string tmp = path + ".repair." + std::to_string(::getpid());
    UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
    if (!out) fail("cannot create " + tmp);
    try {
        if (::fchown(out.get(), st.st_uid, st.st_gid) < 0 && errno != EPERM) fail("cannot chown " + tmp);
        Copier copy(lock.fd(), out.get());
        copy.range(0, msgs.front().start);
        Uid uid = 0;
        for (size_t i = 0; i < msgs.size(); ++i) {
            const auto& m = msgs[i];
            const bool is_pseudo = i == 0 && pseudo;
            if (!plan.renumber) {
                copy.range(m.start, m.next);
            } else {
                // The header line by line: old X-UID and base lines replaced.
                std::string head = copy.read(m.start, m.blank);
                bool base_written = false;
                size_t pos = 0;
                while (pos < head.size()) {
                    size_t nl = head.find('\n', pos);
                    size_t end = nl == std::string::npos ? head.size() : nl + 1;
                    std::string_view line(head.data() + pos, end - pos);
                    pos = end;
                    auto field = unixmbox::hidden_field(line);
                    if (field == unixmbox::HiddenField::XUid) continue;
                    if (field == unixmbox::HiddenField::XImap || field == unixmbox::HiddenField::XImapBase) {
                        if (i == 0 && !base_written) copy.bytes(base_line(pseudo, base));
                        base_written = i == 0;
                        continue;
                    }
                    copy.bytes(line);
                }
                if (i == 0 && !base_written) copy.bytes(base_line(false, base));
                if (!is_pseudo) copy.bytes("X-UID: " + std::to_string(++uid) + "\n");
                copy.range(m.blank, m.next);
            }
            if (auto it = newlines.find(i + 1 == msgs.size() ? size : m.next); it != newlines.end())
                copy.bytes(std::string(it->second, '\n'));
        }
        if (::fsync(out.get()) < 0) fail("cannot sync " + tmp);
        if (::rename(tmp.c_str(), path.c_str()) < 0) fail("cannot rename " + tmp + " to " + path);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
}

}  // namespace mail::tool
