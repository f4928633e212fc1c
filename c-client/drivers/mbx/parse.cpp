// Reading message lines (mbx_parse), UID assignment, \Recent, flag sweeps.
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <map>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "util/error.hpp"

namespace mail::mbx {

void MbxMailbox::parse_tail(const struct stat& st) {
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t pos = parsed_size_;
    Uid lastuid = 0;  // as mbx_parse: UIDs must rise within what one parse reads
    bool dirty = false, uid_rebuilt = false;
    char buf[kMaxLineLength];
    while (pos < size) {
        size_t n = pread_some(fd(), buf, sizeof buf, pos);
        MessageLine ml;
        LineStatus status = parse_message_line(std::string_view(buf, n), ml);
        if (status == LineStatus::Incomplete || (status == LineStatus::Ok && pos + ml.length + ml.size > size)) {
            // A cut-off tail: an append that crashed (appenders hold the parse
            // lock we hold now, so no one is writing it). UW refuses such a
            // file; we cut it back so that the mailbox stays usable.
            if (!read_only_) {
                if (::ftruncate(fd(), static_cast<off_t>(pos)) < 0) throw_errno("cannot repair the mailbox", errno);
                ::fsync(fd());
            }
            break;
        }
        if (status == LineStatus::Malformed)
            throw MailError(ErrorKind::Corrupt, "the mailbox is damaged at byte " + std::to_string(pos));
        Uid m = ml.uid;
        if (m && (m <= lastuid || m > last_uid_)) {
            // mbx_parse: "Invalid UID ..., rebuilding UIDs": a new UIDVALIDITY.
            if (!uid_rebuilt) uidvalidity_ = static_cast<Uid>(::time(nullptr));
            uid_rebuilt = true;
            m = 0;
            last_uid_ = lastuid;
            dirty = true;
        }
        if (ml.flags & fEXPUNGED) {
            holes_ = true;
            if (m) {
                lastuid = m;
            } else {
                lastuid = ++last_uid_;
                dirty = true;
            }
        } else {
            Parsed p;
            p.slot.offset = pos;
            p.slot.line_length = static_cast<uint32_t>(ml.length);
            p.info.flags = system_flags_from_uw(ml.flags);
            p.info.keywords = ml.keywords;
            p.info.internal_date = ml.internal_date;
            p.info.zone_minutes = ml.zone_minutes;
            p.info.size = ml.size;
            if (!m || !(ml.flags & fOLD)) {
                // The first session to see it: \Recent here, fOLD in the file.
                // A Deliver open (APPEND target, dmail) leaves it recent for
                // the next session that selects the mailbox; it only gives a
                // UID where the file has none.
                bool take = !deliver_;
                if (take) p.info.flags |= kRecent;
                bool new_uid = !m;
                if (new_uid) m = ++last_uid_;
                if (take || new_uid) {
                    dirty = true;
                    if (!read_only_) write_status(p.slot, ml.keywords, ml.flags | (take ? static_cast<uint32_t>(fOLD) : 0u), m);
                }
            }
            p.info.uid = m;
            lastuid = m;
            pending_.push_back(p);
        }
        pos += ml.length + ml.size;
    }
    parsed_size_ = pos;
    if (dirty && !read_only_) {
        Header h = read_header();
        h.uidvalidity = uidvalidity_;
        h.last_uid = last_uid_;
        h.last_pid = last_pid_;
        write_header(h);
        if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    }
}

void MbxMailbox::rescan() {
    // Someone compacted the file under us (UW never does while we hold our
    // shared lock, but a lock can be lost). Match the messages again by UID.
    std::vector<Parsed> old_pending = std::move(pending_);
    pending_.clear();
    parsed_size_ = kHeaderSize;
    parse_tail(fstat_or_throw(fd()));
    std::map<Uid, Parsed> found;
    for (auto& p : pending_) found.emplace(p.info.uid, p);
    for (auto& p : old_pending) found.emplace(p.info.uid, p);
    pending_.clear();
    for (size_t i = 0; i < messages_.size(); ++i) {
        auto it = found.find(messages_[i].uid);
        if (it == found.end()) {
            slots_[i].gone = true;
            continue;
        }
        slots_[i] = it->second.slot;
        found.erase(it);
    }
    Uid top = messages_.empty() ? 0 : messages_.back().uid;
    for (auto& [uid, p] : found)
        if (uid > top) pending_.push_back(p);
    flagcheck_ = true;
}

bool MbxMailbox::read_status(const Slot& s, uint32_t& keywords, uint32_t& uw_flags) const {
    char buf[14];
    if (pread_some(fd(), buf, sizeof buf, s.end() - kStatusFromLineEnd - 1) != sizeof buf) return false;
    return parse_status(std::string_view(buf, sizeof buf), keywords, uw_flags);
}

void MbxMailbox::write_status(const Slot& s, uint32_t keywords, uint32_t uw_flags, Uid uid) {
    pwrite_all(fd(), format_status(keywords, uw_flags, uid), s.end() - kStatusFromLineEnd);
}

void MbxMailbox::sweep_flags(EventSink& sink) {
    bool rescanned = false;
    for (size_t i = 0; i < messages_.size(); ++i) {
        Slot& s = slots_[i];
        if (s.gone) continue;
        uint32_t kw = 0, uw = 0;
        if (!read_status(s, kw, uw)) {
            if (!rescanned) {  // the line is not where it was: the file was rewritten
                rescan();
                rescanned = true;
                i = static_cast<size_t>(-1);
                continue;
            }
            s.gone = true;
            continue;
        }
        if (uw & fEXPUNGED) {
            s.gone = true;
            holes_ = true;
            continue;
        }
        MessageInfo& m = messages_[i];
        uint32_t flags = system_flags_from_uw(uw) | (m.flags & kRecent);
        if (flags != m.flags || kw != m.keywords) {
            m.flags = flags;
            m.keywords = kw;
            sink.flags_changed(i + 1);
        }
    }
    flagcheck_ = false;
}

}  // namespace mail::mbx
