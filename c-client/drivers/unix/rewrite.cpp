// Writing the mailbox anew: flags, UIDs and keywords as UW writes them, the
// expunged messages left out. A new file is written beside the old one
// under every lock, fsynced and renamed over it, so that a crash at any
// moment leaves either the old file or the new one, each whole. Messages
// delivered since we last read the file are copied as they are.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "drivers/unix/file_io.hpp"
#include "drivers/unix/index_store.hpp"
#include "drivers/unix/lock.hpp"
#include "drivers/unix/status_headers.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

namespace {

// Removes the temporary file unless it was renamed into place.
struct TempName {
    std::string path;
    bool done = false;
    ~TempName() {
        if (!done) ::unlink(path.c_str());
    }
};

void copy_clipped(const std::vector<FileRange>& visible, int fd, uint64_t from, uint64_t to, int out, uint64_t& pos) {
    for (const FileRange& r : visible) {
        uint64_t a = std::max(r.offset, from), b = std::min(r.offset + r.length, to);
        if (a >= b) continue;
        copy_range(fd, a, b - a, out, pos);
        pos += b - a;
    }
}

// The message as the scanner reads it back from the new file (header_hash
// is filled in once the file is written).
ScannedMessage indexed_message(const ScannedMessage& where, const MessageInfo& info, bool old,
                               const std::vector<std::string>& keywords, const MailboxBase* base) {
    ScannedMessage m = where;
    m.next = m.end + 1;
    m.size = info.size;
    m.internal_date = info.internal_date;
    m.zone_minutes = info.zone_minutes;
    m.flags = info.flags & kStorableFlags;
    m.old = old;
    m.has_status = true;
    m.keywords = keywords;
    m.xuid = info.uid;
    if (base) m.base = *base;
    return m;
}

}  // namespace

bool UnixMailbox::rewrite(bool expunge, const std::vector<Uid>* only, EventSink* sink) {
    MboxLock lock = MboxLock::acquire(path_, true, true);
    struct stat st;
    if (::fstat(lock.fd(), &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (st.st_ino != ino_ || st.st_dev != dev_ || size < parsed_size_) return false;
    if (uw_session_active(lock.fd())) {
        if (expunge) throw MailError(ErrorKind::Busy, "the mailbox is open in another mail program; try again later");
        return false;
    }

    // Every session's changes not yet in the mbox, then this command's own
    // on top: messages_ now holds the stored flags (the file is the one we read).
    if (std::optional<PendingFlags> p = load_pending(pending_path_); p && p->uidvalidity == uids_.uidvalidity)
        take_pending(*p);
    replay_changes();
    changes_.clear();
    change_base_.clear();
    std::set<Uid> gone;
    if (expunge)
        for (const MessageInfo& m : messages_)
            if ((m.flags & kDeleted) && (!only || std::find(only->begin(), only->end(), m.uid) != only->end()))
                gone.insert(m.uid);

    std::string base_name = path_.substr(path_.rfind('/') + 1);
    TempName temp{dir_of(path_) + "/." + base_name + ".rewrite." + std::to_string(::getpid())};
    ::unlink(temp.path.c_str());  // left by a crash of ours
    UniqueFd out(::open(temp.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) {
        int err = errno;
        throw MailError(err == EACCES || err == EPERM ? ErrorKind::Permission : ErrorKind::Io,
                        std::string("cannot rewrite the mailbox: ") + std::strerror(err));
    }
    if (::fchown(out.get(), st.st_uid, st.st_gid) < 0) {}  // best effort: the mail group
    ::fchmod(out.get(), st.st_mode & 07777);

    auto keep = [&](size_t i) {
        return places_[i].file == 0 && !gone.count(messages_[i].uid);
    };
    bool any = false;
    for (size_t i = 0; i < messages_.size(); ++i) any = any || keep(i);
    MailboxBase base{uids_.uidvalidity, std::max(uids_.uid_last, uids_.prev_uid), keywords_};
    bool pseudo = uids_.pseudo || !any;  // UW makes one for an empty mailbox

    uint64_t pos = 0;
    std::vector<ScannedMessage> indexed;  // what a scan of the new file would find (index_store.hpp)
    if (pseudo) {
        std::string p = format_pseudo(base, ::time(nullptr));
        write_at(out.get(), 0, p);
        pos = p.size();
        indexed = scan_bytes(p);
    }
    auto new_fd = std::make_shared<const UniqueFd>(std::move(out));
    int ofd = new_fd->get();
    bool first = !pseudo;
    std::vector<MessageInfo> infos;
    std::vector<MessagePlace> places;
    infos.reserve(messages_.size());
    places.reserve(messages_.size());
    indexed.reserve(messages_.size() + indexed.size());
    std::vector<size_t> removed;  // indexes, ascending
    // Messages another program removed, which the client cannot be told of
    // now (no sink: a sync without expunges, CHECK, a wait): they stay
    // readable from their old file until a sync that may report them.
    std::vector<std::shared_ptr<const UniqueFd>> files{new_fd};
    for (size_t i = 0; i < messages_.size(); ++i) {
        if (!keep(i) && !sink && !gone.count(messages_[i].uid)) {
            MessagePlace p = places_[i];
            auto at = std::find(files.begin(), files.end(), files_[p.file]);
            p.file = static_cast<uint16_t>(at - files.begin());  // no more than files_ had
            if (at == files.end()) files.push_back(files_[places_[i].file]);
            infos.push_back(messages_[i]);
            places.push_back(p);
            continue;
        }
        if (!keep(i)) {
            removed.push_back(i);
            continue;
        }
        const MessagePlace& p = places_[i];
        const MessageInfo& m = messages_[i];
        int ifd = files_[p.file]->get();
        std::vector<FileRange> visible = visible_ranges(p, ifd);
        ScannedMessage np;  // where it goes in the new file
        np.start = pos;
        copy_range(ifd, p.start, p.header, ofd, pos);
        pos += p.header;
        np.header = pos;
        copy_clipped(visible, ifd, p.header_at(), p.blank_at(), ofd, pos);
        uint64_t header_end = pos;
        std::vector<std::string> names;
        for (size_t b = 0; b < keywords_.size(); ++b)
            if (m.keywords & (KeywordMask{1} << b)) names.push_back(keywords_[b]);
        const MailboxBase* first_base = first ? &base : nullptr;
        // "Status: O": seen by a session, no longer \Recent. A Deliver open
        // (APPEND target, dmail) took no \Recent: what is recent to it stays new.
        bool old = !(deliver_ && (m.flags & kRecent));
        std::string status = format_status(m.flags, old, names, m.uid, first_base);
        first = false;
        write_at(ofd, pos, status);
        pos += status.size();
        np.blank = pos - 1;
        np.body = pos;
        copy_clipped(visible, ifd, p.body_at(), p.end, ofd, pos);
        np.end = pos;
        write_at(ofd, pos, "\n");
        pos += 1;
        if (header_end > np.header) np.visible.push_back(FileRange{np.header, header_end - np.header});
        np.visible.push_back(FileRange{np.blank, np.end - np.blank});
        MessageInfo info = m;
        if (p.body_gap == 0) info.size += 2;  // it had no blank line; it has one now
        indexed.push_back(indexed_message(np, info, old, names, first_base));
        infos.push_back(info);
        places.push_back(place_of(indexed.back(), 0));
    }
    uint64_t tail_start = pos;
    if (size > parsed_size_) copy_range(lock.fd(), parsed_size_, size - parsed_size_, ofd, pos);
    sync_fd(ofd);
    if (::rename(temp.path.c_str(), path_.c_str()) < 0)
        throw MailError(ErrorKind::Io, std::string("cannot rewrite the mailbox: ") + std::strerror(errno));
    temp.done = true;
    UniqueFd dir(::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());

    struct stat nst;
    ::fstat(ofd, &nst);
    for (ScannedMessage& m : indexed) m.header_hash = hash_range(ofd, m.start, m.body);
    save_index(index_path_, ofd, nst, tail_start, indexed);
    for (size_t k = 0; k < removed.size(); ++k)
        if (sink) sink->expunged(removed[k] - k + 1);
    messages_ = std::move(infos);
    places_ = std::move(places);
    files_ = std::move(files);
    dev_ = nst.st_dev;
    ino_ = nst.st_ino;
    parsed_size_ = tail_start;  // deliveries copied after it are read at the next sync
    seen_ = FileStamp{};        // the next sync looks under the locks
    uids_.have_base = true;
    uids_.pseudo = pseudo;
    uids_.uid_last = base.uid_last;
    persist_needed_ = false;
    remove_pending(pending_path_);  // under the dot lock: no session adds to it meanwhile
    pending_seen_ = PendingStamp{};
    pending_since_ = 0;
    retry_at_ = 0;
    return true;
}

}  // namespace mail::unixmbox
