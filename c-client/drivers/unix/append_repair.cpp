#include "drivers/unix/append_repair.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "drivers/unix/file_io.hpp"
#include "drivers/unix/from_line.hpp"
#include "drivers/unix/lock.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

namespace {

constexpr uint64_t kChunk = 1 << 20;
constexpr uint64_t kMaxFromLine = 1024;  // longer lines are not separators we look for

// Up to length bytes at offset (fewer at the end of the file).
std::string read_some(int fd, uint64_t offset, uint64_t length) {
    std::string buf(length, '\0');
    size_t got = 0;
    while (got < length) {
        ssize_t n = ::pread(fd, buf.data() + got, length - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw MailError(ErrorKind::Io, std::string("cannot read the mailbox: ") + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    buf.resize(got);
    return buf;
}

bool from_line_at(std::string_view buf, size_t i) {
    size_t nl = buf.find('\n', i);
    if (nl == std::string_view::npos) return false;
    std::string_view line = buf.substr(i, nl - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return is_from_line(line);
}

// The append wrote all its bytes: a newline last, then the end of the file
// or the From line of a message appended after it.
bool append_finished(int fd, const JournalRecord& r, uint64_t size) {
    uint64_t limit = r.start + r.length;
    if (size < limit) return false;
    std::string last = read_some(fd, limit - 1, 1);
    if (last != "\n") return false;
    if (size == limit) return true;
    return from_line_at(read_some(fd, limit, kMaxFromLine), 0);
}

void truncate_to(int fd, uint64_t size) {
    if (::ftruncate(fd, static_cast<off_t>(size)) < 0)
        throw MailError(ErrorKind::Io, std::string("cannot repair the mailbox: ") + std::strerror(errno));
    sync_fd(fd);
}

// Writes [0, keep) and [from, size) of the file to a new file beside it and
// renames that over it: a crash leaves the old file or the new one.
void cut_out(const std::string& path, int fd, uint64_t keep, uint64_t from, uint64_t size) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    std::string temp = dir_of(path) + "/." + path.substr(path.rfind('/') + 1) + ".repair." + std::to_string(::getpid());
    ::unlink(temp.c_str());  // left by a crash of ours
    UniqueFd out(::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) throw MailError(ErrorKind::Io, std::string("cannot repair the mailbox: ") + std::strerror(errno));
    try {
        if (::fchown(out.get(), st.st_uid, st.st_gid) < 0) {}  // best effort: the mail group
        ::fchmod(out.get(), st.st_mode & 07777);
        copy_range(fd, 0, keep, out.get(), 0);
        copy_range(fd, from, size - from, out.get(), keep);
        sync_fd(out.get());
        if (::rename(temp.c_str(), path.c_str()) < 0)
            throw MailError(ErrorKind::Io, std::string("cannot repair the mailbox: ") + std::strerror(errno));
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());
}

// The last offset in [begin, end) where a valid From line starts; a small
// range (within an append's head).
std::optional<uint64_t> last_from_line(int fd, uint64_t begin, uint64_t end) {
    std::string buf = read_some(fd, begin, end - begin + kMaxFromLine);
    std::string_view view(buf);
    std::optional<uint64_t> last;
    for (size_t i = view.find("From "); i != std::string_view::npos && i < end - begin; i = view.find("From ", i + 1))
        if (from_line_at(view, i)) last = begin + i;
    return last;
}

}  // namespace

std::optional<uint64_t> find_from_line(int fd, uint64_t begin, uint64_t end) {
    for (uint64_t pos = begin; pos < end; pos += kChunk) {
        uint64_t scan = std::min(kChunk, end - pos);
        std::string buf = read_some(fd, pos, scan + kMaxFromLine);  // the lines that start in this piece, whole
        std::string_view view(buf);
        for (size_t i = view.find("From "); i != std::string_view::npos && i < scan; i = view.find("From ", i + 1))
            if (from_line_at(view, i)) return pos + i;
        if (buf.size() < scan) break;  // the file ended
    }
    return std::nullopt;
}

RepairOutcome repair_append(const std::string& mailbox_path, int fd, AppendJournal& journal) {
    std::optional<JournalRecord> record = journal.read();
    if (!record) {
        journal.end();  // empty, or torn while it was written: no mbox byte followed it
        return RepairOutcome::Nothing;
    }
    const JournalRecord& r = *record;
    if (writer_alive(r)) return RepairOutcome::LeftAlone;
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    uint64_t size = static_cast<uint64_t>(st.st_size);

    // How much of the head at START is ours: a kill before the first write
    // (or in it) leaves another writer's bytes where ours were to go.
    std::string there = read_some(fd, r.start, std::min<uint64_t>(size - std::min(size, r.start), r.head.size()));
    size_t same = 0;
    while (same < there.size() && there[same] == r.head[same]) ++same;

    RepairOutcome outcome = RepairOutcome::Truncated;
    if (size <= r.start) {
        outcome = RepairOutcome::Nothing;  // nothing written, or already cut back
    } else if (same < there.size()) {
        // Another writer's message begins within what should be our head,
        // at its From line, at or before the first byte that differs: the
        // last such line there (before it, our partial From line glued to
        // theirs can read as one too). Our newline that ended the file's
        // last line stays when their From line follows it.
        std::optional<uint64_t> theirs = last_from_line(fd, r.start, r.start + same + 1);
        uint64_t keep = theirs && r.from > r.start && *theirs >= r.from ? r.from : r.start;
        if (!theirs || *theirs == keep) {
            outcome = RepairOutcome::Finished;  // nothing of ours to cut: keep it all
        } else {
            if (uw_session_active(fd)) return RepairOutcome::Deferred;
            cut_out(mailbox_path, fd, keep, *theirs, size);
            outcome = RepairOutcome::Cut;
        }
    } else if (there.size() < r.head.size()) {
        truncate_to(fd, r.start);  // part of our head, nothing after it
    } else if (append_finished(fd, r, size)) {
        outcome = RepairOutcome::Finished;
    } else if (std::optional<uint64_t> theirs = find_from_line(fd, r.from + 1, std::min(size, r.start + r.length))) {
        if (uw_session_active(fd)) return RepairOutcome::Deferred;
        cut_out(mailbox_path, fd, r.from > r.start ? r.from : r.start, *theirs, size);
        outcome = RepairOutcome::Cut;
    } else if (size < r.start + r.length) {
        truncate_to(fd, r.start);
    } else {
        // As long as the append meant to be, but not ended as ours end and
        // no separator before: not what a killed append leaves. Keep it all.
        outcome = RepairOutcome::Finished;
    }
    journal.end();
    return outcome;
}

void recover_append(const std::string& mailbox_path, const std::string& journal_path) {
    if (!journal_pending(journal_path)) return;
    try {
        MboxLock lock = MboxLock::acquire(mailbox_path, true, true);
        AppendJournal journal(journal_path);
        if (journal.active()) repair_append(mailbox_path, lock.fd(), journal);
    } catch (const MailError&) {
        // Read-only, missing or busy: the file reads as it is; the next locker repairs.
    }
}

}  // namespace mail::unixmbox
