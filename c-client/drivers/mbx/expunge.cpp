// EXPUNGE as mbx_rewrite does it: with the file to ourselves (flock LOCK_EX,
// taken only while holding the parse lock, so that no one slips in while
// flock converts our shared lock) the kept messages slide down over the
// removed ones and over earlier holes, and the file is truncated; restartable
// through a journal (compact_journal.hpp) that the next open finishes. When other
// sessions have the file open, the messages are only marked fEXPUNGED in
// place: holes that readers skip and a later compaction reclaims.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "drivers/mbx/compact_journal.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

bool MbxMailbox::compact(EventSink& sink, const std::vector<bool>& remove) {
    if (!flock_retry(fd(), LOCK_EX | LOCK_NB)) {
        flock_wait(fd(), LOCK_SH, options_.lock_timeout_seconds);  // the failed conversion dropped it
        return false;
    }
    // The plan first: where each kept message goes (runs of adjacent ones
    // moving by the same distance are one move), nothing written yet.
    std::vector<CompactMove> moves;
    std::vector<uint64_t> new_offset(messages_.size());
    uint64_t ppos = kHeaderSize, pos = kHeaderSize, delta = 0;
    for (size_t i = 0; i < messages_.size(); ++i) {
        const Slot& s = slots_[i];
        if (s.offset != ppos) {  // a hole before this message
            delta += s.offset - ppos;
            ppos = s.offset;
        }
        const uint64_t k = s.line_length + messages_[i].size;
        ppos += k;
        if (i < remove.size() && remove[i]) {
            delta += k;
            continue;
        }
        new_offset[i] = s.offset - delta;
        if (delta) {
            if (!moves.empty() && moves.back().from + moves.back().length == s.offset &&
                moves.back().from - moves.back().to == delta)
                moves.back().length += k;
            else
                moves.push_back({s.offset, s.offset - delta, k});
        }
        pos = new_offset[i] + k;
    }
    if (!moves.empty()) {
        // Restartable (compact_journal.hpp); without a journal, no moves.
        auto journal = CompactJournal::begin(path_, fstat_or_throw(fd()), moves, pos);
        if (!journal) {
            flock_wait(fd(), LOCK_SH, options_.lock_timeout_seconds);
            return false;
        }
        journal->run(fd());
    } else {
        if (::ftruncate(fd(), static_cast<off_t>(pos)) < 0) throw_errno("cannot shrink the mailbox", errno);
        if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    }
    for (size_t i = 0, original = 0; original < new_offset.size(); ++original) {
        if (original < remove.size() && remove[original]) {
            slots_.erase(slots_.begin() + static_cast<ptrdiff_t>(i));
            messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
            sink.expunged(i + 1);
            continue;
        }
        slots_[i].offset = new_offset[original];
        ++i;
    }
    parsed_size_ = pos;
    holes_ = false;
    flock_wait(fd(), LOCK_SH, options_.lock_timeout_seconds);  // let sharers in again
    return true;
}

namespace {

// Holds back the EXISTS that the sync before an expunge finds, so that the
// expunges are told first, as Dovecot orders a MOVE into the selected
// mailbox (ImapTest's move group: "* 1 EXPUNGE" then "* 1 EXISTS").
class HeldExists : public EventSink {
public:
    HeldExists(EventSink& to, size_t known) : to_(to), known_(known) {}
    void expunged(size_t seq) override {
        --known_;
        to_.expunged(seq);
    }
    void exists(size_t) override { held_ = true; }
    void flags_changed(size_t seq) override {
        if (seq <= known_) to_.flags_changed(seq);  // a new message's flags come with its FETCH
    }
    void keywords_changed() override { to_.keywords_changed(); }
    // The messages the client knows of (those before index known()).
    size_t known() const { return known_; }
    bool held() const { return held_; }

private:
    EventSink& to_;
    size_t known_;
    bool held_ = false;
};

}  // namespace

void MbxMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    UwParseLock lock = parse_lock();
    HeldExists held(sink, messages_.size());
    sync_locked(held, true, false);
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
    // A new message that is expunged at once must be announced first.
    bool tell_after = held.held();
    for (size_t i = held.known(); tell_after && i < remove.size(); ++i)
        if (remove[i]) tell_after = false;
    if (held.held() && !tell_after) sink.exists(messages_.size());
    expunge_marked(sink, remove, any);
    if (tell_after) sink.exists(messages_.size());
}

void MbxMailbox::expunge_marked(EventSink& sink, const std::vector<bool>& remove, bool any) {
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
