// Reading the mbox: the whole file at open or after another program
// rewrote it (matched to what we had by UID), or only the new tail after
// deliveries.
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <limits>

#include "drivers/unix/append_journal.hpp"
#include "drivers/unix/append_repair.hpp"
#include "drivers/unix/index_store.hpp"
#include "drivers/unix/lock.hpp"
#include "drivers/unix/recent_claim.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

FileStamp FileStamp::of(const struct stat& st) {
    return FileStamp{st.st_dev, st.st_ino, static_cast<uint64_t>(st.st_size),
                     int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                     int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
}

MessageInfo UnixMailbox::info_of(const ScannedMessage& m, Uid uid) {
    MessageInfo info;
    info.uid = uid;
    info.flags = m.flags & kStorableFlags;
    if (!m.old || appended_.count(uid)) info.flags |= kRecent;
    info.keywords = keyword_mask(m.keywords);
    info.internal_date = m.internal_date;
    info.zone_minutes = m.zone_minutes;
    info.size = m.size;
    return info;
}

void UnixMailbox::take_recent(size_t from) {
    if (deliver_) return;
    if (read_only_) {
        // STATUS, EXAMINE: what a session has taken is not recent any more.
        Uid taken = recent_claimed(recent_path_, uids_.uidvalidity);
        for (size_t i = from; i < messages_.size(); ++i)
            if (messages_[i].uid <= taken) messages_[i].flags &= ~kRecent;
        return;
    }
    Uid upto = 0;
    for (size_t i = from; i < messages_.size(); ++i)
        if (messages_[i].flags & kRecent) upto = std::max(upto, messages_[i].uid);
    if (!upto) return;
    std::optional<Uid> taken = claim_recent(recent_path_, uids_.uidvalidity, upto);
    if (!taken) return;
    for (size_t i = from; i < messages_.size(); ++i)
        if (messages_[i].uid <= *taken) messages_[i].flags &= ~kRecent;  // our own append too: one session only
}

namespace {

struct stat stat_of(int fd) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    return st;
}

}  // namespace

void UnixMailbox::reload(EventSink& sink, bool allow_expunge) {
    recover_append(path_, journal_path_);  // a killed append's bytes go first
    MboxLock lock = MboxLock::acquire(path_, false, false);
    struct stat st;
    if (::fstat(lock.fd(), &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    dev_t dev = st.st_dev;
    ino_t ino = st.st_ino;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    // What the index (index_store.hpp) still describes, and a scan of the rest.
    ReadResult read = read_mailbox(lock.fd(), st, index_path_);
    if (read.bad) throw MailError(ErrorKind::Corrupt, "the mailbox is not in mbox format");
    auto fd = std::make_shared<const UniqueFd>(lock.take_fd());
    std::vector<ScannedMessage>& scanned = read.messages;

    UidState state;
    bool assigned = false;
    std::vector<Uid> uids = assign_uids(scanned, true, state, &assigned);
    if (!state.have_base) {
        // UW: "Assigning new unique identifiers to all messages".
        state.uidvalidity = uids_.uidvalidity ? uids_.uidvalidity : static_cast<uint32_t>(::time(nullptr));
    }
    bool validity_changed = uids_.uidvalidity && state.uidvalidity != uids_.uidvalidity;
    if (keywords_.empty()) keywords_ = state.base_keywords;
    else keyword_mask(state.base_keywords);

    // Merge the new file into what the client knows, matching by UID. The
    // UIDs given in file order ascend (uid_rules.hpp; 0, the pseudo-message,
    // comes first), so a binary search finds them.
    auto find_uid = [&](Uid uid) -> size_t {
        auto it = std::lower_bound(uids.begin(), uids.end(), uid);
        return it != uids.end() && *it == uid && uid ? static_cast<size_t>(it - uids.begin()) : uids.size();
    };
    std::vector<bool> taken(scanned.size());
    std::vector<MessageInfo> infos;
    std::vector<MessagePlace> places;
    infos.reserve(std::max(messages_.size(), scanned.size()));
    places.reserve(infos.capacity());
    // The new file is files[0]; old files stay only for the vanished messages still shown.
    std::vector<std::shared_ptr<const UniqueFd>> files{fd};
    auto file_of = [&](uint16_t old) -> uint16_t {
        for (size_t k = 1; k < files.size(); ++k)
            if (files[k] == files_[old]) return static_cast<uint16_t>(k);
        if (files.size() > std::numeric_limits<uint16_t>::max())
            throw MailError(ErrorKind::Busy, "too many versions of the mailbox open; try again later");
        files.push_back(files_[old]);
        return static_cast<uint16_t>(files.size() - 1);
    };
    for (size_t i = 0, seq = 0; i < messages_.size(); ++i) {
        size_t k = validity_changed ? uids.size() : find_uid(messages_[i].uid);
        if (k == uids.size()) {
            if (allow_expunge) {
                sink.expunged(seq + 1);
                continue;
            }
            infos.push_back(messages_[i]);  // vanished: still readable from the old file
            places.push_back(places_[i]);
            places.back().file = file_of(places_[i].file);
            ++seq;
            continue;
        }
        const ScannedMessage& m = scanned[k];
        MessageInfo info = info_of(m, messages_[i].uid);
        info.flags = (info.flags & ~kRecent) | (messages_[i].flags & kRecent);
        bool changed = info.flags != messages_[i].flags || info.keywords != messages_[i].keywords;
        infos.push_back(info);
        places.push_back(place_of(m, 0));
        ++seq;
        if (changed) unreported_.insert(info.uid);
        taken[k] = true;
    }
    size_t before = infos.size();
    Uid last = infos.empty() ? 0 : infos.back().uid;
    for (size_t i = 0; i < scanned.size(); ++i) {
        if (taken[i] || !uids[i]) continue;
        if (uids[i] <= last) continue;  // cannot be shown in sequence; the UID rules prevent it
        infos.push_back(info_of(scanned[i], uids[i]));
        places.push_back(place_of(scanned[i], 0));
    }
    messages_ = std::move(infos);
    places_ = std::move(places);
    uids_ = state;
    persist_needed_ = persist_needed_ || assigned || !state.have_base;
    files_ = std::move(files);
    dev_ = dev;
    ino_ = ino;
    parsed_size_ = size;
    seen_ = FileStamp::of(st);
    take_recent(before);
    if (messages_.size() != before || messages_.empty()) sink.exists(messages_.size());
    apply_pending(true);  // our sessions' changes not in the file yet
    replay_changes();     // this command's, should a sync come in the middle of one
}

bool UnixMailbox::read_tail(EventSink& sink, int fd, uint64_t size) {
    MboxScanner scanner;
    scan_file(fd, parsed_size_, size, scanner);
    scanner.finish(size);
    std::vector<ScannedMessage>& scanned = scanner.messages();
    if (scanner.bad()) return false;
    if (scanned.empty()) {
        parsed_size_ = size;
        return true;
    }
    bool first_batch = messages_.empty() && !uids_.have_base && parsed_size_ == 0;
    bool assigned = false;
    std::vector<Uid> uids = assign_uids(scanned, first_batch, uids_, &assigned);
    const size_t before = messages_.size();
    for (size_t i = 0; i < scanned.size(); ++i) {
        if (!uids[i]) continue;
        messages_.push_back(info_of(scanned[i], uids[i]));
        places_.push_back(place_of(scanned[i], 0));
    }
    take_recent(before);
    persist_needed_ = persist_needed_ || assigned;
    parsed_size_ = size;
    sink.exists(messages_.size());
    return true;
}

bool UnixMailbox::unchanged_since_seen() const {
    if (seen_.mtime_ns < 0 || journal_pending(journal_path_)) return false;
    struct stat st;
    if (::stat(path_.c_str(), &st) < 0) return false;
    return FileStamp::of(st) == seen_ && seen_.settled(::time(nullptr));
}

bool UnixMailbox::unchanged_since_own_append(const FileStamp& own) const {
    if (own.mtime_ns < 0 || own.dev != dev_ || own.ino != ino_ || own.size < parsed_size_ || files_.empty() ||
        journal_pending(journal_path_))
        return false;
    struct stat st;
    if (::stat(path_.c_str(), &st) < 0) return false;
    return FileStamp::of(st) == own;
}

void UnixMailbox::drop_vanished(EventSink& sink) {
    size_t seq = 0;
    for (size_t i = 0; i < messages_.size(); ++i) {
        if (places_[i].file != 0) {
            sink.expunged(seq + 1);
            continue;
        }
        messages_[seq] = messages_[i];
        places_[seq] = places_[i];
        ++seq;
    }
    messages_.resize(seq);
    places_.resize(seq);
    files_.resize(1);
}

void UnixMailbox::sync(EventSink& sink, bool allow_expunge) {
    catch_up(sink, allow_expunge);
    report(sink);
}

void UnixMailbox::catch_up(EventSink& sink, bool allow_expunge) {
    flush();  // a command's changes go to the stored flags before anything is read
    bool full = false;
    const FileStamp own = own_stamp_;
    own_stamp_ = FileStamp{};  // used once
    // As UW's unix_ping: a file nobody wrote since we read it needs no
    // locks (they cost a dot lock file, fcntl and flock every command).
    // Nor does one that only our own append changed since (own_stamp_).
    if (unchanged_since_own_append(own)) {
        if (own.size > parsed_size_ && !read_tail(sink, files_.front()->get(), own.size)) full = true;
        else seen_ = own;
    } else if (!unchanged_since_seen()) {
        recover_append(path_, journal_path_);  // a killed append's bytes go first
        MboxLock lock = MboxLock::acquire(path_, false, false);
        struct stat st = stat_of(lock.fd());
        uint64_t size = static_cast<uint64_t>(st.st_size);
        if (st.st_dev != dev_ || st.st_ino != ino_ || size < parsed_size_) full = true;
        else if (size > parsed_size_ && !read_tail(sink, files_.front()->get(), size)) full = true;
        if (!full) seen_ = FileStamp::of(st);
    }
    if (full) reload(sink, allow_expunge);
    else apply_pending(false);
    if (allow_expunge && files_.size() > 1) drop_vanished(sink);
    // Another program rewrote the file (UW, mutt): it may read it again, so
    // our unwritten flags go in now; and none waits past its delay (IDLE
    // syncs without a command).
    if (!read_only_ && !deliver_ && has_unwritten() &&
        (full || checkpoint_due_ms() == 0)) {
        retry_at_ = ::time(nullptr) + 5;  // cleared by a rewrite that succeeds
        rewrite(false, nullptr, allow_expunge ? &sink : nullptr);
    }
}

}  // namespace mail::unixmbox
