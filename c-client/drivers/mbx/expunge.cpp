// EXPUNGE as mbx_rewrite does it: with the file to ourselves (flock LOCK_EX,
// taken only while holding the parse lock, so that no one slips in while
// flock converts our shared lock) the kept messages slide down over the
// removed ones and over earlier holes, and the file is truncated. When other
// sessions have the file open, the messages are only marked fEXPUNGED in
// place: holes that readers skip and a later compaction reclaims.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

namespace {

// Copies n bytes from `from` down to `to` (< from) in the same file.
void move_down(int fd, uint64_t from, uint64_t to, uint64_t n, std::vector<char>& buf) {
    while (n > 0) {
        size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
        if (pread_some(fd, buf.data(), chunk, from) != chunk)
            throw MailError(ErrorKind::Corrupt, "the mailbox is shorter than its index");
        pwrite_all(fd, std::string_view(buf.data(), chunk), to);
        from += chunk;
        to += chunk;
        n -= chunk;
    }
}

}  // namespace

bool MbxMailbox::compact(EventSink& sink, const std::vector<bool>& remove) {
    if (!flock_retry(fd(), LOCK_EX | LOCK_NB)) {
        flock_wait(fd(), LOCK_SH, options_.lock_timeout_seconds);  // the failed conversion dropped it
        return false;
    }
    std::vector<char> buf(1 << 20);
    uint64_t ppos = kHeaderSize, pos = kHeaderSize, delta = 0;
    size_t i = 0;
    for (size_t original = 0; i < messages_.size(); ++original) {
        Slot& s = slots_[i];
        if (s.offset != ppos) {  // a hole before this message
            delta += s.offset - ppos;
            ppos = s.offset;
        }
        const uint64_t k = s.line_length + messages_[i].size;
        ppos += k;
        if (original < remove.size() && remove[original]) {
            delta += k;
            slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
            messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
            sink.expunged(i + 1);
            continue;
        }
        if (delta) {
            move_down(fd(), s.offset, s.offset - delta, k, buf);
            s.offset -= delta;
        }
        pos = s.offset + k;
        ++i;
    }
    if (::ftruncate(fd(), static_cast<off_t>(pos)) < 0) throw_errno("cannot shrink the mailbox", errno);
    if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    parsed_size_ = pos;
    holes_ = false;
    flock_wait(fd(), LOCK_SH, options_.lock_timeout_seconds);  // let sharers in again
    return true;
}

void MbxMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    UwParseLock lock = parse_lock();
    sync_locked(sink, true, false);
    std::vector<Uid> selected;
    if (only) {
        selected = *only;
        std::sort(selected.begin(), selected.end());
    }
    std::vector<bool> remove(messages_.size());
    bool any = false;
    for (size_t i = 0; i < messages_.size(); ++i) {
        const MessageInfo& m = messages_[i];
        remove[i] = (m.flags & kDeleted) && (!only || std::binary_search(selected.begin(), selected.end(), m.uid));
        any |= remove[i];
    }
    if (!any && !holes_) return;
    if (!compact(sink, remove)) {
        for (size_t i = 0, original = 0; i < messages_.size(); ++original) {
            if (!remove[original]) {
                ++i;
                continue;
            }
            const MessageInfo& m = messages_[i];
            write_status(slots_[i], static_cast<uint32_t>(m.keywords), uw_from_system_flags(m.flags) | fOLD | fEXPUNGED,
                         m.uid);
            holes_ = true;
            slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
            messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
            sink.expunged(i + 1);
        }
        if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    }
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    ::futimens(fd(), times);
    remember_file_state();
}

}  // namespace mail::mbx
