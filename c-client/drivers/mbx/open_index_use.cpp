// The open index (open_index.hpp) read at open and written after a parse.
//
// Trust rules. The index is used when the file is the same one (dev, ino),
// its header's UIDVALIDITY is the index's and its UIDLAST not lower, it is
// at least as long as the index covered, and whatever follows starts with a
// message line. Its flags are used as they are only when the file's mtime is
// the one recorded and the index was written when the clock had already
// passed that mtime ("settled"): every writer of status bytes (ours, UW's
// mbx_flag, mailutil) then leaves a different mtime. UW's utime() keeps
// whole seconds, so an mtime without nanoseconds is settled only 2 s later
// (Dovecot's rule). Otherwise each message's status is read back with its
// UID, and any UID that differs (the file was compacted) drops the index
// and the whole file is parsed as before. Appends (size grew, mtime kept)
// are parsed as a tail.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "drivers/mbx/open_index.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::mbx {

namespace {

bool settled_at(int64_t mtime) {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    const int64_t now_ns = int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
    if (mtime % 1000000000 == 0) return now_ns - mtime >= 2000000000;
    return now_ns > mtime;
}

std::optional<std::string> read_small_file(const std::string& path, uint64_t limit) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return std::nullopt;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > limit)
        return std::nullopt;
    std::string bytes(static_cast<size_t>(st.st_size), '\0');
    try {
        if (pread_some(fd.get(), bytes.data(), bytes.size(), 0) != bytes.size()) return std::nullopt;
    } catch (const MailError&) {
        return std::nullopt;
    }
    return bytes;
}

}  // namespace

bool MbxMailbox::load_open_index(const Header& h, const struct stat& st) {
    if (index_path_.empty() || !messages_.empty()) return false;
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    // A message takes at least a 52-byte line and one byte: bounds the read.
    auto bytes = read_small_file(index_path_, 64 + (size / 53 + 1) * 36);
    if (!bytes) return false;
    auto index = parse_open_index(*bytes);
    bytes.reset();
    if (!index) return false;
    const OpenIndexStamp& s = index->stamp;
    if (s.dev != static_cast<uint64_t>(st.st_dev) || s.ino != static_cast<uint64_t>(st.st_ino) ||
        s.uidvalidity != h.uidvalidity || s.last_uid > h.last_uid || s.covered > size || s.covered < kHeaderSize)
        return false;
    char line[kMaxLineLength];
    MessageLine ml;
    if (size > s.covered) {  // an append since: the tail must start with a message line
        size_t n = pread_some(fd(), line, sizeof line, s.covered);
        if (parse_message_line(std::string_view(line, n), ml) == LineStatus::Malformed) return false;
    }
    std::vector<OpenIndexRecord>& records = index->records;
    const bool trusted = s.settled && s.mtime_ns == mtime_ns(st);
    std::vector<size_t> unseen;  // no fOLD in the file: \Recent for us
    size_t kept = records.size();
    if (trusted) {
        // One look at the last message's line, against an index of some other file.
        if (!records.empty()) {
            const OpenIndexRecord& r = records.back();
            size_t n = pread_some(fd(), line, r.line_length, r.offset);
            if (parse_message_line(std::string_view(line, n), ml) != LineStatus::Ok || ml.uid != r.uid ||
                ml.size != r.size || ml.length != r.line_length || ml.internal_date != r.internal_date)
                return false;
        }
    } else {
        // Every status with its UID, as a flag sweep reads them.
        kept = 0;
        for (size_t i = 0; i < records.size(); ++i) {
            OpenIndexRecord r = records[i];
            char b[kStatusLength + 3];
            if (pread_some(fd(), b, sizeof b, r.offset + r.line_length - kStatusFromLineEnd - 1) != sizeof b)
                return false;
            uint32_t kw = 0, uw = 0;
            Uid uid = 0;
            if (!parse_full_status(std::string_view(b, sizeof b), kw, uw, uid) || uid != r.uid) return false;
            if (uw & fEXPUNGED) {
                holes_ = true;
                continue;
            }
            r.flags = system_flags_from_uw(uw);
            r.keywords = kw;
            if (!(uw & fOLD)) unseen.push_back(kept);
            records[kept++] = r;
        }
    }
    messages_.reserve(kept);
    slots_.reserve(kept);
    for (size_t i = 0; i < kept; ++i) {
        const OpenIndexRecord& r = records[i];
        MessageInfo m;
        m.uid = r.uid;
        m.flags = r.flags;
        m.keywords = r.keywords;
        m.internal_date = r.internal_date;
        m.zone_minutes = r.zone_minutes;
        m.size = r.size;
        messages_.push_back(m);
        Slot slot;
        slot.offset = r.offset;
        slot.line_length = r.line_length;
        slots_.push_back(slot);
    }
    // As parse_tail: the first session to see a message takes \Recent and
    // marks it fOLD in the file; a Deliver open leaves it for the next.
    if (!deliver_) {
        for (size_t i : unseen) {
            MessageInfo& m = messages_[i];
            m.flags |= kRecent;
            if (!read_only_)
                write_status(slots_[i], m.keywords, uw_from_system_flags(m.flags) | fOLD, m.uid);
        }
        if (!unseen.empty() && !read_only_ && ::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    }
    parsed_size_ = s.covered;
    holes_ = holes_ || s.holes;
    index_fresh_ = trusted && size == s.covered && unseen.empty();
    index_mtime_ns_ = s.mtime_ns;
    index_covered_ = s.covered;
    return true;
}

void MbxMailbox::save_open_index(bool just_synced) {
    if (index_path_.empty() || read_only_ || deliver_ || !pending_.empty()) return;
    // Away from the open's sync, what we hold is the file's only if no write
    // since our last look could have left the same mtime.
    if (!just_synced && !(known_settled_ && known_mtime_ns_ % 1000000000 != 0)) return;
    struct stat st = fstat_or_throw(fd());
    // Our messages are the file's only when nothing changed since our last look.
    if (static_cast<uint64_t>(st.st_size) != parsed_size_ || mtime_ns(st) != known_mtime_ns_) return;
    for (const Slot& slot : slots_)
        if (slot.gone) return;
    if (!make_index_dir(index_path_)) return;
    OpenIndex index;
    OpenIndexStamp& s = index.stamp;
    s.dev = static_cast<uint64_t>(st.st_dev);
    s.ino = static_cast<uint64_t>(st.st_ino);
    s.covered = parsed_size_;
    s.mtime_ns = mtime_ns(st);
    s.uidvalidity = uidvalidity_;
    s.last_uid = last_uid_;
    s.settled = settled_at(s.mtime_ns);
    s.holes = holes_;
    index.records.resize(messages_.size());
    for (size_t i = 0; i < messages_.size(); ++i) {
        const MessageInfo& m = messages_[i];
        OpenIndexRecord& r = index.records[i];
        r.offset = slots_[i].offset;
        r.line_length = static_cast<uint32_t>(slots_[i].line_length);
        r.size = m.size;
        r.internal_date = m.internal_date;
        r.zone_minutes = m.zone_minutes;
        r.uid = m.uid;
        r.keywords = static_cast<uint32_t>(m.keywords);
        r.flags = m.flags & kStorableFlags;
    }
    std::string bytes = encode_open_index(index);
    index.records = {};
    std::string temp = index_path_ + ".tmp." + std::to_string(::getpid());
    UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!out) return;
    try {
        pwrite_all(out.get(), bytes, 0);
    } catch (const MailError&) {
        ::unlink(temp.c_str());
        return;
    }
    if (::rename(temp.c_str(), index_path_.c_str()) < 0) {
        ::unlink(temp.c_str());
        return;
    }
    index_fresh_ = s.settled;
    index_mtime_ns_ = s.mtime_ns;
    index_covered_ = s.covered;
}

bool MbxMailbox::open_index_stale() const {
    return !index_path_.empty() && !read_only_ && !deliver_ &&
           (!index_fresh_ || index_mtime_ns_ != known_mtime_ns_ || index_covered_ != parsed_size_);
}

}  // namespace mail::mbx
