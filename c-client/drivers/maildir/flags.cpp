// STORE: flags live in the file name, so a change is a rename within cur/.
// A change applies to the flags in the file's name as it is on disk, not to
// this session's copy: another session may have renamed the file since our
// last sync, and its change must not be undone (Dovecot's maildir_file_do).
// rename() of the name we know fails with ENOENT when someone else renamed
// it first; we then find the current name and apply the change to it.
// The renames of one command share one fsync of cur/, at flush() (a STORE
// 1:* must not cost a directory fsync per message; Dovecot does none).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/maildir/filename.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

void MaildirMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    change_flags(index, FlagChange{FlagChange::Op::Replace, flags, keywords});
}

bool MaildirMailbox::change_flags(size_t index, const FlagChange& change) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    MessageInfo& m = messages_.at(index);
    const uint32_t shown_flags = m.flags & kStorableFlags;
    const KeywordMask shown_keywords = m.keywords;
    auto settle = [&](uint32_t flags, KeywordMask keywords) {
        m.flags = flags | (m.flags & kRecent);
        m.keywords = keywords;
        return flags != shown_flags || keywords != shown_keywords;
    };
    // A few rounds: each lost race means another session renamed the file
    // in between, and we start again from its new name.
    for (int attempt = 0; attempt < 8 && !files_.vanished(index); ++attempt) {
        const std::string name(files_.name(index));
        const MessageInfo disk = info_for(m.uid, name);
        const uint32_t flags = change.apply(disk.flags);
        const KeywordMask keywords = change.apply(disk.keywords) & ((KeywordMask{1} << 26) - 1);
        const std::string to = file_name(files_.base(index), flags, letters_from_mask(keywords), other_flags(name));
        const std::string from_path = file_path(index);
        if (to == name && !files_.in_new(index)) {
            // Nothing to rename: the name we know must still be the file's.
            if (::access(from_path.c_str(), F_OK) == 0) return settle(flags, keywords);
        } else {
            if (!rename_start_) rename_start_ = cur_stamp();  // our renames need no rescan (dir_state.hpp)
            if (::rename(from_path.c_str(), (dir("cur") + "/" + to).c_str()) == 0) {
                renamed_ = true;
                files_.set_name(index, to, false);
                return settle(flags, keywords);
            }
        }
        if (errno != ENOENT) throw_errno("cannot change the message's flags", errno);
        if (!relocate(index)) break;
    }
    throw MailError(ErrorKind::NotFound, "the message has been removed by another program");
}

void MaildirMailbox::flush() {
    if (!renamed_) return;
    renamed_ = false;
    fsync_dir(dir("cur"));
    if (rename_start_) end_own_change(*rename_start_);
    rename_start_.reset();
}

}  // namespace mail::maildir
