// STORE: the 21 status bytes of a message rewritten in place under the parse
// lock (mbx_flaglock, mbx_update_status, mbx_flag); the header's PID field
// names us as the last flag writer so that other sessions re-read. As UW's
// mbx_flag does for a whole sequence, the lock is taken once for a command's
// changes (a batch, ended by flush() or by the next locked operation), each
// message's status is read (another process may have expunged it) and
// written with one pread and one pwrite, and the fsync (and the atime that
// keeps the file from looking \Marked) comes once, at flush(). A relative
// change (change_flags) applies to the status read from the file in the
// batch, never to the session's copy, so that two sessions keep both changes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

#include <map>
#include <utility>

namespace mail::mbx {

namespace {

// The instance of this process holding a flag batch on a file (dev, ino):
// another instance on the same file ends it before it locks (one process is
// one thread; two instances of one file meet in tools and tests).
std::map<std::pair<dev_t, ino_t>, MbxMailbox*>& batches() {
    static std::map<std::pair<dev_t, ino_t>, MbxMailbox*> open;
    return open;
}

std::pair<dev_t, ino_t> file_key(int fd) {
    struct stat st = fstat_or_throw(fd);
    return {st.st_dev, st.st_ino};
}

}  // namespace

UwParseLock MbxMailbox::parse_lock() {
    end_flag_batch();
    end_other_batch();
    return UwParseLock::acquire(fd(), LOCK_EX, options_.lock_timeout_seconds);
}

void MbxMailbox::end_other_batch() {
    if (batches().empty()) return;
    auto it = batches().find(file_key(fd()));
    if (it != batches().end() && it->second != this) it->second->end_flag_batch();
}

void MbxMailbox::begin_flag_batch() {
    if (batch_lock_) return;
    end_other_batch();
    batch_lock_.emplace(UwParseLock::acquire(fd(), LOCK_EX, options_.lock_timeout_seconds));
    batch_key_ = file_key(fd());
    batches()[batch_key_] = this;
    struct stat st = fstat_or_throw(fd());
    if (mtime_ns(st) != known_mtime_ns_) flagcheck_ = true;  // others wrote too: re-read at the next sync
    // Nobody wrote since we last looked (the mtime then was already in the
    // past, so a later write would have moved it): our statuses are the
    // file's, and each message's need not be read back before its write.
    trust_statuses_ = !flagcheck_ && known_settled_;
    const uint32_t pid = static_cast<uint32_t>(::getpid());
    if (last_pid_ != pid) {
        Header h = read_header();
        h.last_pid = pid;
        write_header(h);
        last_pid_ = pid;
    }
}

void MbxMailbox::end_flag_batch() {
    if (!batch_lock_) return;
    auto it = batches().find(batch_key_);
    if (it != batches().end() && it->second == this) batches().erase(it);
    // Our own writes moved the mtime; only another writer's change (seen at
    // begin_flag_batch) should make the next sync re-read every status.
    struct stat st;
    if (::fstat(fd(), &st) == 0) note_mtime(st);
    else known_mtime_ns_ = -1;
    batch_lock_.reset();
}

uint32_t MbxMailbox::stored_status(size_t index, uint32_t& keywords) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    Slot& s = slots_.at(index);
    if (s.gone) throw MailError(ErrorKind::NotFound, "the message has been expunged by another session");
    begin_flag_batch();
    const MessageInfo& m = messages_[index];
    uint32_t uw = uw_from_system_flags(m.flags) | fOLD;
    keywords = static_cast<uint32_t>(m.keywords);
    if (!trust_statuses_ && !read_status(s, keywords, uw)) {
        flagcheck_ = true;
        throw MailError(ErrorKind::NotFound, "the message has moved; try again after a check");
    }
    if (uw & fEXPUNGED) {
        s.gone = true;
        throw MailError(ErrorKind::NotFound, "the message has been expunged by another session");
    }
    return uw;
}

void MbxMailbox::store_status(size_t index, uint32_t flags, uint32_t keywords) {
    MessageInfo& m = messages_[index];
    write_status(slots_[index], keywords, uw_from_system_flags(flags) | fOLD, m.uid);
    flags_unsynced_ = true;
    m.flags = (flags & kStorableFlags) | (m.flags & kRecent);
    m.keywords = keywords;
}

void MbxMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    uint32_t stored_kw = 0;
    stored_status(index, stored_kw);
    store_status(index, flags, static_cast<uint32_t>(keywords & ((KeywordMask{1} << kMaxKeywords) - 1)));
}

bool MbxMailbox::change_flags(size_t index, const FlagChange& change) {
    // As mbx_flag: the change applies to the status in the file, read under
    // the batch's lock, not to this session's copy (another session may
    // have changed other flags since our last sync).
    uint32_t stored_kw = 0;
    const uint32_t stored = system_flags_from_uw(stored_status(index, stored_kw));
    const uint32_t flags = change.apply(stored);
    const auto kw = static_cast<uint32_t>(change.apply(KeywordMask{stored_kw}) & ((KeywordMask{1} << kMaxKeywords) - 1));
    MessageInfo& m = messages_[index];
    const bool seen_differs = (m.flags & kStorableFlags) != flags || m.keywords != kw;
    if (flags != stored || kw != stored_kw) {
        store_status(index, flags, kw);
    } else {
        m.flags = flags | (m.flags & kRecent);  // the file is right; our copy was stale
        m.keywords = kw;
    }
    return seen_differs;
}

void MbxMailbox::flush() {
    if (flags_unsynced_ && ::fdatasync(fd()) < 0) {
        end_flag_batch();
        throw_errno("cannot write the mailbox", errno);
    }
    end_flag_batch();
    if (!flags_unsynced_) return;
    flags_unsynced_ = false;
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};  // read after the write: not \Marked
    ::futimens(fd(), times);
}

}  // namespace mail::mbx
