// Picking up what other processes did (mbx_ping): appends (the file grew),
// flag changes (the mtime moved or another PID wrote flags: re-read every
// status), expunges (fEXPUNGED holes, or a compaction: the file shrank).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "drivers/mbx/mbx_mailbox.hpp"

namespace mail::mbx {

void MbxMailbox::sync(EventSink& sink, bool allow_expunge) {
    struct stat st = fstat_or_throw(fd());
    bool gone = false;
    for (const Slot& s : slots_) gone |= s.gone;
    // The cheap check: nothing to do unless the file changed or we owe events.
    if (static_cast<uint64_t>(st.st_size) == parsed_size_ && mtime_ns(st) == known_mtime_ns_ && !flagcheck_ &&
        pending_.empty() && !(allow_expunge && (gone || (holes_ && !read_only_))))
        return;
    UwParseLock lock = parse_lock();
    sync_locked(sink, allow_expunge);
}

void MbxMailbox::sync_locked(EventSink& sink, bool allow_expunge, bool may_compact) {
    struct stat st = fstat_or_throw(fd());
    if (known_mtime_ns_ >= 0 && mtime_ns(st) != known_mtime_ns_) flagcheck_ = true;
    if (absorb_header(read_header())) sink.keywords_changed();
    if (static_cast<uint64_t>(st.st_size) < parsed_size_) rescan();
    else parse_tail(st);
    if (flagcheck_) sweep_flags(sink);
    if (allow_expunge) report_gone(sink);
    if (!pending_.empty()) {
        if (messages_.empty()) {  // the open: exactly as many as there are, no doubling slack
            messages_.reserve(pending_.size());
            slots_.reserve(pending_.size());
        }
        for (Parsed& p : pending_) {
            messages_.push_back(p.info);
            slots_.push_back(p.slot);
        }
        // A whole file's worth (56 B a message) would otherwise stay
        // allocated for the session's life; a few appends' worth may stay.
        if (pending_.capacity() > 1024) std::vector<Parsed>().swap(pending_);
        else pending_.clear();
        sink.exists(messages_.size());
    }
    bool gone = false;
    for (const Slot& s : slots_) gone |= s.gone;
    if (may_compact && allow_expunge && holes_ && !gone && !read_only_) compact(sink, {});
    remember_file_state();
}

void MbxMailbox::report_gone(EventSink& sink) {
    for (size_t i = 0; i < slots_.size();) {
        if (!slots_[i].gone) {
            ++i;
            continue;
        }
        slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
        messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
        sink.expunged(i + 1);
    }
}

void MbxMailbox::remember_file_state() {
    note_mtime(fstat_or_throw(fd()));
}

void MbxMailbox::note_mtime(const struct stat& st) {
    known_mtime_ns_ = mtime_ns(st);
    // The kernel stamps writes with the coarse clock: only once it has moved
    // past this mtime does another write surely get a different one.
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    known_settled_ = int64_t{now.tv_sec} * 1000000000 + now.tv_nsec > known_mtime_ns_;
}

}  // namespace mail::mbx
