// Opening a Berkeley mbox, reading messages, keywords; flags in memory, in
// the pending-flags file, and into the mbox at a checkpoint.
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "drivers/unix/lock.hpp"

#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

UnixMailbox::UnixMailbox(std::string path, OpenMode mode, std::string_view index_dir)
    : path_(std::move(path)), index_path_(index_file_path(path_, index_dir, "index")),
      journal_path_(index_file_path(path_, index_dir, "append")),
      read_only_(mode == OpenMode::ReadOnly), deliver_(mode == OpenMode::Deliver) {
    pending_path_ = index_file_path(path_, index_dir, "flags");
    struct stat st;
    if (::stat(path_.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
        throw MailError(ErrorKind::NotFound, "mailbox does not exist");
    if (!read_only_ && ::access(path_.c_str(), W_OK) < 0) read_only_ = true;
    NullEventSink sink;
    reload(sink, true);
    // A mailbox without UID data gets its UIDVALIDITY written now, as UW
    // does at its first checkpoint, so that it stays the same.
    if (!read_only_ && !uids_.have_base) rewrite(nullptr, nullptr);
}

UnixMailbox::~UnixMailbox() {
    try {
        if (!read_only_ && has_unwritten()) rewrite(nullptr, nullptr);
    } catch (...) {
        // Nothing to tell anyone at close; what the pending-flags file holds
        // is written by the next session's checkpoint, the rest is lost as UW's would be.
    }
}

MessageContent UnixMailbox::content(size_t index) {
    const MessagePlace& p = places_.at(index);
    const std::shared_ptr<const UniqueFd>& fd = files_.at(p.file);
    return MessageContent(fd, visible_ranges(p, fd->get()));
}

std::optional<size_t> UnixMailbox::keyword_bit(std::string_view name, bool create) {
    for (size_t i = 0; i < keywords_.size(); ++i)
        if (keywords_[i] == name) return i;
    if (!create || keywords_.size() >= kMaxKeywords || read_only_) return std::nullopt;
    keywords_.emplace_back(name);
    persist_needed_ = true;  // the table lives in X-IMAP / X-IMAPbase
    return keywords_.size() - 1;
}

KeywordMask UnixMailbox::keyword_mask(const std::vector<std::string>& names) {
    KeywordMask mask = 0;
    for (const auto& n : names) {
        auto it = std::find(keywords_.begin(), keywords_.end(), n);
        if (it == keywords_.end()) {
            if (keywords_.size() >= kMaxKeywords) continue;
            keywords_.push_back(n);
            persist_needed_ = true;  // UW reads X-Keywords only against its table
            it = keywords_.end() - 1;
        }
        mask |= KeywordMask{1} << (it - keywords_.begin());
    }
    return mask;
}

void UnixMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    MessageInfo& m = messages_.at(index);
    uint32_t next = (flags & kStorableFlags) | (m.flags & kRecent);
    if (next == m.flags && keywords == m.keywords) return;
    m.flags = next;
    m.keywords = keywords;
    places_.at(index).dirty = true;
    flags_dirty_ = true;
}

namespace {

// How long a flag change may wait for the mbox: IMAPD_UNIX_FLAG_DELAY
// seconds (for tests), else 30.
int64_t flag_write_delay() {
    static const int64_t delay = [] {
        const char* v = std::getenv("IMAPD_UNIX_FLAG_DELAY");
        long n = v ? std::strtol(v, nullptr, 10) : 30;
        return static_cast<int64_t>(n >= 0 && n <= 86400 ? n : 30);
    }();
    return delay;
}

int64_t now_ms() {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

void UnixMailbox::take_pending(const PendingFlags& p, EventSink* sink) {
    const size_t table = keywords_.size();
    for (const auto& [uid, f] : p.by_uid) {
        std::optional<size_t> i = index_of(uid);
        if (!i) continue;
        if (flags_dirty_ && places_[*i].dirty) continue;  // our change of this command is newer
        MessageInfo& m = messages_[*i];
        uint32_t flags = (f.flags & kStorableFlags) | (m.flags & kRecent);
        KeywordMask keywords = keyword_mask(f.keywords);
        if (flags == m.flags && keywords == m.keywords) continue;
        m.flags = flags;
        m.keywords = keywords;
        places_[*i].dirty = true;
        if (sink) sink->flags_changed(*i + 1);
    }
    if (sink && keywords_.size() != table) sink->keywords_changed();
}

void UnixMailbox::apply_pending(EventSink* sink, bool force) {
    if (deliver_) return;  // a delivery shows no flags; its rewrites read the file themselves
    PendingStamp stamp = pending_stamp(pending_path_);
    if (!force && stamp == pending_seen_) return;
    pending_seen_ = stamp;
    std::optional<PendingFlags> p = stamp.size < 0 ? std::nullopt : load_pending(pending_path_);
    if (!p || p->uidvalidity != uids_.uidvalidity) {
        pending_since_ = 0;  // written into the mbox (or stale)
        return;
    }
    take_pending(*p, sink);
    pending_since_ = p->since;
}

void UnixMailbox::save_own_pending() {
    PendingStamp before = pending_stamp(pending_path_);
    std::optional<PendingFlags> p = before.size < 0 ? std::nullopt : load_pending(pending_path_);
    if (!p || p->uidvalidity != uids_.uidvalidity) p = PendingFlags{uids_.uidvalidity, ::time(nullptr), {}};
    for (size_t i = 0; i < messages_.size(); ++i) {
        if (!places_[i].dirty) continue;
        const MessageInfo& m = messages_[i];
        PendingFlag f{m.flags & kStorableFlags, {}};
        for (size_t b = 0; b < keywords_.size(); ++b)
            if (m.keywords & (KeywordMask{1} << b)) f.keywords.push_back(keywords_[b]);
        p->by_uid[m.uid] = std::move(f);
    }
    if (!save_pending(pending_path_, *p))
        throw MailError(ErrorKind::Io, "cannot write the pending flags file");
    // Another session's entries that we have not applied yet: keep the old
    // stamp so that the next sync applies the file (and reports them).
    if (before == pending_seen_) pending_seen_ = pending_stamp(pending_path_);
    pending_since_ = p->since;
    flags_dirty_ = false;
}

void UnixMailbox::flush() {
    if (read_only_ || !flags_dirty_) return;
    if (deliver_) {
        rewrite(nullptr, nullptr);
        return;
    }
    try {
        MboxLock lock = MboxLock::acquire(path_, false, false);  // the dot lock orders the file's writers
        save_own_pending();
    } catch (const MailError&) {
        rewrite(nullptr, nullptr);  // no place for the file (or no lock): write the mbox as before
    }
}

void UnixMailbox::checkpoint() {
    if (read_only_) return;
    if (!has_unwritten() && pending_stamp(pending_path_).size < 0) return;
    // A failure (the file changed under us: after the next sync; or an
    // error) is retried 5 s later at the earliest; success clears this.
    retry_at_ = ::time(nullptr) + 5;
    rewrite(nullptr, nullptr);
}

int64_t UnixMailbox::checkpoint_due_ms() const {
    if (read_only_ || deliver_ || (!flags_dirty_ && pending_since_ == 0)) return -1;
    int64_t since = pending_since_ ? pending_since_ : ::time(nullptr);
    int64_t due = std::max(since + flag_write_delay(), retry_at_) * 1000 - now_ms();
    return due > 0 ? due : 0;
}

void UnixMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    apply_pending(&sink, false);  // another session's STOREs (\Deleted too) count
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::set<Uid> gone;
        for (const MessageInfo& m : messages_)
            if ((m.flags & kDeleted) && (!only || std::find(only->begin(), only->end(), m.uid) != only->end()))
                gone.insert(m.uid);
        if (gone.empty() && !has_unwritten() && pending_stamp(pending_path_).size < 0) return;
        if (rewrite(&gone, &sink)) return;
        sync(sink, true);  // changed under us: catch up, then try again
    }
    throw MailError(ErrorKind::Busy, "the mailbox is being changed by another program; try again later");
}

}  // namespace mail::unixmbox
