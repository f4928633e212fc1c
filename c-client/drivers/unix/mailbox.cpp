// Opening a Berkeley mbox, reading messages, keywords; flags in memory, in
// the pending-flags file, and into the mbox at a checkpoint.
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "drivers/unix/index_store.hpp"
#include "drivers/unix/lock.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

UnixMailbox::UnixMailbox(std::string path, OpenMode mode, std::string_view index_dir)
    : path_(std::move(path)), index_path_(index_file_path(path_, index_dir, "index")),
      journal_path_(index_file_path(path_, index_dir, "append")),
      recent_path_(index_file_path(path_, index_dir, "recent")),
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
    if (!read_only_ && !uids_.have_base) rewrite(false, nullptr, nullptr);
    unreported_.clear();  // SELECT tells all
    keywords_told_ = keywords_.size();
}

UnixMailbox::~UnixMailbox() {
    try {
        if (!read_only_ && has_unwritten() && !rewrite(false, nullptr, nullptr)) flush();
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
    change_flags(index, FlagChange{FlagChange::Op::Replace, flags, keywords});
}

bool UnixMailbox::change_flags(size_t index, const FlagChange& change) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    // Against our copy: flush() applies it again to the stored flags, and
    // what differs is reported (the STORE's answer comes after the flush; a
    // FETCH's \Seen, at the next sync). The pending-flags file is not read
    // here: its keywords could reach a FETCH before FLAGS announced them.
    MessageInfo& m = messages_.at(index);
    change_base_.try_emplace(m.uid, Stored{m.flags & kStorableFlags, m.keywords});
    changes_.push_back(Change{m.uid, change});
    const uint32_t flags = change.apply(m.flags) | (m.flags & kRecent);
    const KeywordMask keywords = change.apply(m.keywords);
    if (flags == m.flags && keywords == m.keywords) return false;
    m.flags = flags;
    m.keywords = keywords;
    return true;
}

void UnixMailbox::note_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    MessageInfo& m = messages_[index];
    flags = (flags & kStorableFlags) | (m.flags & kRecent);
    if (flags == m.flags && keywords == m.keywords) return;
    m.flags = flags;
    m.keywords = keywords;
    unreported_.insert(m.uid);
}

void UnixMailbox::replay_changes() {
    for (const Change& c : changes_)
        if (std::optional<size_t> i = index_of(c.uid)) {
            const MessageInfo& m = messages_[*i];
            note_flags(*i, c.change.apply(m.flags), c.change.apply(m.keywords));
        }
}

std::vector<std::string> UnixMailbox::keyword_names(KeywordMask mask) const {
    std::vector<std::string> names;
    for (size_t b = 0; b < keywords_.size(); ++b)
        if (mask & (KeywordMask{1} << b)) names.push_back(keywords_[b]);
    return names;
}

void UnixMailbox::report(EventSink& sink) {
    if (keywords_.size() != keywords_told_) {
        keywords_told_ = keywords_.size();
        sink.keywords_changed();
    }
    std::set<Uid> uids = std::move(unreported_);
    unreported_.clear();
    for (Uid uid : uids)
        if (std::optional<size_t> i = index_of(uid)) sink.flags_changed(*i + 1);
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

void UnixMailbox::take_pending(const PendingFlags& p) {
    for (const auto& [uid, f] : p.by_uid)
        if (std::optional<size_t> i = index_of(uid)) note_flags(*i, f.flags, keyword_mask(f.keywords));
}

void UnixMailbox::apply_pending(bool force) {
    if (deliver_) return;  // a delivery shows no flags; its rewrites read the file themselves
    PendingStamp stamp = pending_stamp(pending_path_);
    if (!force && stamp == pending_seen_) return;
    pending_seen_ = stamp;
    std::optional<PendingFlags> p = stamp.size < 0 ? std::nullopt : load_pending(pending_path_);
    if (!p || p->uidvalidity != uids_.uidvalidity) {
        pending_since_ = 0;  // written into the mbox (or stale)
        return;
    }
    take_pending(*p);
    pending_since_ = p->since;
}

std::map<Uid, UnixMailbox::Stored> UnixMailbox::flags_in_file(int fd, const std::set<Uid>& uids) {
    std::map<Uid, Stored> out;
    struct stat st;
    if (uids.empty() || ::fstat(fd, &st) < 0) return out;
    ReadResult read = read_mailbox(fd, st, index_path_);
    if (read.bad) return out;
    UidState state;
    std::vector<Uid> found = assign_uids(read.messages, true, state, nullptr);
    if (!state.have_base || state.uidvalidity != uids_.uidvalidity) return out;
    for (size_t k = 0; k < found.size(); ++k)
        if (found[k] && uids.count(found[k]))
            out[found[k]] = Stored{read.messages[k].flags & kStorableFlags, keyword_mask(read.messages[k].keywords)};
    return out;
}

void UnixMailbox::save_own_pending(int fd) {
    std::optional<PendingFlags> p = pending_stamp(pending_path_).size < 0 ? std::nullopt : load_pending(pending_path_);
    const bool had_file = p && p->uidvalidity == uids_.uidvalidity;
    if (!had_file) p = PendingFlags{uids_.uidvalidity, ::time(nullptr), {}};
    // Where a message has no entry its stored flags are the mbox's: those we
    // read when it is still our file (change_base_), else the new file's.
    struct stat st;
    bool same_file = ::fstat(fd, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_ &&
                     static_cast<uint64_t>(st.st_size) >= parsed_size_;
    std::map<Uid, Stored> in_file;
    if (!same_file) {
        std::set<Uid> uids;
        for (const Change& c : changes_)
            if (!p->by_uid.count(c.uid)) uids.insert(c.uid);
        in_file = flags_in_file(fd, uids);
    }
    std::map<Uid, std::pair<Stored, Stored>> result;  // stored before, after
    for (const Change& c : changes_) {
        auto it = result.find(c.uid);
        if (it == result.end()) {
            Stored base;
            if (auto e = p->by_uid.find(c.uid); e != p->by_uid.end())
                base = Stored{e->second.flags & kStorableFlags, keyword_mask(e->second.keywords)};
            else if (same_file) base = change_base_.at(c.uid);
            else if (auto f = in_file.find(c.uid); f != in_file.end()) base = f->second;
            else continue;  // no longer in the mailbox
            it = result.emplace(c.uid, std::pair{base, base}).first;
        }
        Stored& now = it->second.second;
        now = Stored{c.change.apply(now.flags), c.change.apply(now.keywords)};
    }
    bool wrote = false;
    for (const auto& [uid, change] : result) {
        if (change.first == change.second) continue;
        p->by_uid[uid] = PendingFlag{change.second.flags, keyword_names(change.second.keywords)};
        wrote = true;
    }
    if (wrote) {
        if (!save_pending(pending_path_, *p)) throw MailError(ErrorKind::Io, "cannot write the pending flags file");
        pending_since_ = p->since;
    }
    // Our copy gets what is stored now: every session's entries and ours.
    if (had_file || wrote) {
        take_pending(*p);
        pending_seen_ = pending_stamp(pending_path_);
    }
    for (const auto& [uid, change] : result)
        if (std::optional<size_t> i = index_of(uid)) note_flags(*i, change.second.flags, change.second.keywords);
    changes_.clear();
    change_base_.clear();
}

void UnixMailbox::flush() {
    if (read_only_ || changes_.empty()) return;
    if (deliver_) {
        rewrite(false, nullptr, nullptr);
        return;
    }
    try {
        MboxLock lock = MboxLock::acquire(path_, false, false);  // the dot lock orders the file's writers
        save_own_pending(lock.fd());
    } catch (const MailError&) {
        rewrite(false, nullptr, nullptr);  // no place for the file (or no lock): write the mbox as before
    }
}

void UnixMailbox::checkpoint() {
    if (read_only_) return;
    if (!has_unwritten() && pending_stamp(pending_path_).size < 0) return;
    // A failure (the file changed under us: after the next sync; or an
    // error) is retried 5 s later at the earliest; success clears this.
    retry_at_ = ::time(nullptr) + 5;
    if (!rewrite(false, nullptr, nullptr)) flush();  // another session's file: our changes wait in the pending file
}

int64_t UnixMailbox::checkpoint_due_ms() const {
    if (read_only_ || deliver_ || (changes_.empty() && pending_since_ == 0)) return -1;
    int64_t since = pending_since_ ? pending_since_ : ::time(nullptr);
    int64_t due = std::max(since + flag_write_delay(), retry_at_) * 1000 - now_ms();
    return due > 0 ? due : 0;
}

void UnixMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    apply_pending(false);  // another session's STOREs (\Deleted too) count
    for (int attempt = 0; attempt < 3; ++attempt) {
        bool any = false;
        for (const MessageInfo& m : messages_)
            if ((m.flags & kDeleted) && (!only || std::find(only->begin(), only->end(), m.uid) != only->end()))
                any = true;
        if (!any && !has_unwritten() && pending_stamp(pending_path_).size < 0) break;
        if (rewrite(true, only, &sink)) break;
        catch_up(sink, true);  // changed under us: catch up, then try again
        if (attempt == 2)
            throw MailError(ErrorKind::Busy, "the mailbox is being changed by another program; try again later");
    }
    // Flags learned here are reported by the sync that follows the command.
}

}  // namespace mail::unixmbox
