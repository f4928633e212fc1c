// STORE: the 21 status bytes of a message rewritten in place under the parse
// lock (mbx_flaglock, mbx_update_status, mbx_flag); the header's PID field
// names us as the last flag writer so that other sessions re-read. As UW's
// mbx_flag does for a whole sequence, the fsync (and the atime that keeps
// the file from looking \Marked) comes once, at flush(), not per message.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

void MbxMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    Slot& s = slots_.at(index);
    if (s.gone) throw MailError(ErrorKind::NotFound, "the message has been expunged by another session");
    UwParseLock lock = parse_lock();
    struct stat st = fstat_or_throw(fd());
    if (mtime_ns(st) != known_mtime_ns_) flagcheck_ = true;  // others wrote too: re-read at the next sync
    uint32_t cur_kw = 0, cur_uw = 0;
    if (!read_status(s, cur_kw, cur_uw)) {
        flagcheck_ = true;
        throw MailError(ErrorKind::NotFound, "the message has moved; try again after a check");
    }
    if (cur_uw & fEXPUNGED) {
        s.gone = true;
        throw MailError(ErrorKind::NotFound, "the message has been expunged by another session");
    }
    const uint32_t kw = static_cast<uint32_t>(keywords & ((KeywordMask{1} << kMaxKeywords) - 1));
    MessageInfo& m = messages_[index];
    write_status(s, kw, uw_from_system_flags(flags) | fOLD, m.uid);
    flags_unsynced_ = true;
    const uint32_t pid = static_cast<uint32_t>(::getpid());
    if (last_pid_ != pid) {
        Header h = read_header();
        h.last_pid = pid;
        write_header(h);
        last_pid_ = pid;
    }
    m.flags = (flags & kStorableFlags) | (m.flags & kRecent);
    m.keywords = kw;
    bool others = flagcheck_;
    remember_file_state();
    flagcheck_ = others;
}

void MbxMailbox::flush() {
    if (!flags_unsynced_) return;
    if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    flags_unsynced_ = false;
    struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};  // read after the write: not \Marked
    ::futimens(fd(), times);
}

}  // namespace mail::mbx
