// Internal dates on demand: an open takes the dates imapd-dates has and
// leaves the others unknown; the first command that needs one (FETCH
// INTERNALDATE, SEARCH SINCE, SORT ARRIVAL, COPY) stats that file. A first
// SELECT of a big maildir then costs no stat per message, as with Dovecot,
// which reads received dates lazily and keeps them in its cache.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>

#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

void set_internal_date(MessageInfo& info, int64_t date) {
    info.internal_date = date;
    info.zone_minutes = 0;
    struct tm tm;
    time_t t = static_cast<time_t>(date);
    if (::localtime_r(&t, &tm)) info.zone_minutes = static_cast<int32_t>(tm.tm_gmtoff / 60);
}

const MessageInfo& MaildirMailbox::dated(size_t index) {
    MessageInfo& m = messages_.at(index);
    if (m.internal_date != kUnknownDate) return m;
    for (int attempt = 0; attempt < 2 && !files_.vanished(index); ++attempt) {
        UniqueFd& dir_fd = stat_dirs_[files_.in_new(index) ? 0 : 1];
        if (!dir_fd)
            dir_fd.reset(::open(dir(files_.in_new(index) ? "new" : "cur").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        const std::string name(files_.name(index));
        struct stat st;
        int rc = dir_fd ? ::fstatat(dir_fd.get(), name.c_str(), &st, 0) : ::stat(file_path(index).c_str(), &st);
        if (rc == 0) {
            set_internal_date(m, st.st_mtime);
            ++dates_missed_;  // written to imapd-dates by a later sync or the destructor
            return m;
        }
        if (errno != ENOENT && errno != ENOTDIR) throw_errno("cannot stat " + file_path(index), errno);
        if (!relocate(index)) break;  // renamed by another program (its flags): find it again
    }
    throw MailError(ErrorKind::NotFound, "the message has been removed by another program");
}

MaildirMailbox::~MaildirMailbox() {
    try {
        save_dates(true);
    } catch (...) {
        // Derived data: the next open stats those files again.
    }
}

}  // namespace mail::maildir
