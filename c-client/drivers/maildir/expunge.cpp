// EXPUNGE: unlink the files, then drop their records from the uidlist.
#include <algorithm>
#include <cerrno>
#include <set>

#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

void MaildirMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    std::set<Uid> wanted;
    if (only) wanted.insert(only->begin(), only->end());
    std::set<std::string> removed;
    const FileStamp cur_before = cur_stamp();
    for (size_t i = 0; i < messages_.size(); ++i) {
        const MessageInfo& m = messages_[i];
        if (!(m.flags & kDeleted) || (only && !wanted.count(m.uid))) continue;
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (files_[i].vanished) break;
            if (::unlink(file_path(files_[i]).c_str()) == 0) break;
            if (errno != ENOENT) throw_errno("cannot remove a message", errno);
            if (!relocate(i)) break;
        }
        removed.insert(files_[i].base);
    }
    if (removed.empty()) return;
    fsync_dir(dir("cur"));
    end_own_change(cur_before);  // our unlinks need no rescan (dir_state.hpp)
    {
        DotLock lock = DotLock::acquire(uidlist_path(), timeouts_);
        uidlist_stamp_ = {};
        reload_uidlist();
        std::erase_if(uidlist_.records, [&](const UidlistRecord& r) { return removed.count(r.base) > 0; });
        write_uidlist_locked(lock);
    }
    for (size_t i = 0; i < messages_.size();) {
        if (removed.count(files_[i].base)) {
            messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i));
            files_.erase(files_.begin() + static_cast<ptrdiff_t>(i));
            sink.expunged(i + 1);
        } else {
            ++i;
        }
    }
}

}  // namespace mail::maildir
