// EXPUNGE: unlink the files, then drop their records from the uidlist.
// The index loses its expunged messages in one pass (not one vector erase
// per message: EXPUNGE of 10% of 100,000 messages must not be quadratic).
#include <algorithm>
#include <cerrno>
#include <string_view>
#include <unordered_set>

#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

void MaildirMailbox::expunge(EventSink& sink, const std::vector<Uid>* only) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    std::vector<Uid> wanted;
    if (only) {
        wanted = *only;
        std::sort(wanted.begin(), wanted.end());
    }
    std::vector<bool> gone(messages_.size(), false);
    std::unordered_set<std::string> removed;
    const FileStamp cur_before = cur_stamp();
    for (size_t i = 0; i < messages_.size(); ++i) {
        const MessageInfo& m = messages_[i];
        if (!(m.flags & kDeleted) || (only && !std::binary_search(wanted.begin(), wanted.end(), m.uid))) continue;
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (files_.vanished(i)) break;
            if (::unlink(file_path(i).c_str()) == 0) break;
            if (errno != ENOENT) throw_errno("cannot remove a message", errno);
            if (!relocate(i)) break;
        }
        removed.emplace(files_.base(i));
        gone[i] = true;
    }
    if (removed.empty()) return;
    fsync_dir(dir("cur"));
    end_own_change(cur_before);  // our unlinks need no rescan (dir_state.hpp)
    {
        DotLock lock = DotLock::acquire(uidlist_path(), timeouts_);
        uidlist_stamp_ = {};
        reload_uidlist(&lock);
        std::erase_if(uidlist_.records, [&](const UidlistRecord& r) { return removed.count(r.base) > 0; });
        write_uidlist_locked(lock);
    }
    // Sequence numbers as the sink must see them: each one after the
    // expunges reported before it.
    std::vector<size_t> seqs;
    size_t out = 0;
    for (size_t i = 0; i < messages_.size(); ++i) {
        if (gone[i]) {
            seqs.push_back(i - seqs.size() + 1);
            continue;
        }
        messages_[out++] = messages_[i];
    }
    messages_.resize(out);
    files_.erase_marked(gone);
    for (size_t seq : seqs) sink.expunged(seq);
}

}  // namespace mail::maildir
