// STORE: flags live in the file name, so a change is a rename within cur/.
// The renames of one command share one fsync of cur/, at flush() (a STORE
// 1:* must not cost a directory fsync per message; Dovecot does none).
#include <cerrno>

#include "drivers/maildir/filename.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

void MaildirMailbox::set_flags(size_t index, uint32_t flags, KeywordMask keywords) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    MessageInfo& m = messages_.at(index);
    flags &= kStorableFlags;
    std::string to = file_name(files_.base(index), flags, letters_from_mask(keywords), other_flags(files_.name(index)));
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (files_.vanished(index)) break;
        if (to == files_.name(index) && !files_.in_new(index)) {
            m.flags = flags | (m.flags & kRecent);
            m.keywords = keywords & ((KeywordMask{1} << 26) - 1);
            return;
        }
        std::string from_path = file_path(index), to_path = dir("cur") + "/" + to;
        if (!rename_start_) rename_start_ = cur_stamp();  // our renames need no rescan (dir_state.hpp)
        if (::rename(from_path.c_str(), to_path.c_str()) == 0) {
            renamed_ = true;
            files_.set_name(index, to, false);
            m.flags = flags | (m.flags & kRecent);
            m.keywords = keywords & ((KeywordMask{1} << 26) - 1);
            return;
        }
        if (errno != ENOENT) throw_errno("cannot change the message's flags", errno);
        if (!relocate(index)) break;
        // Renamed by another program: keep the flag letters we do not manage.
        to = file_name(files_.base(index), flags, letters_from_mask(keywords), other_flags(files_.name(index)));
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
