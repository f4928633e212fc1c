// Opening an mbx file, its header, message content, keywords, IDLE notification.
#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "drivers/mbx/compact_journal.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::mbx {

uint64_t Slot::end() const { return offset + line_length; }

int64_t mtime_ns(const struct stat& st) {
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

void throw_errno(const std::string& what, int err) {
    ErrorKind kind = ErrorKind::Io;
    if (err == ENOENT || err == ENOTDIR) kind = ErrorKind::NotFound;
    else if (err == EEXIST) kind = ErrorKind::Exists;
    else if (err == EACCES || err == EPERM || err == EROFS) kind = ErrorKind::Permission;
    else if (err == ENOSPC || err == EDQUOT) kind = ErrorKind::NoSpace;
    throw MailError(kind, what + ": " + std::strerror(err));
}

struct stat fstat_or_throw(int fd) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw_errno("cannot stat the mailbox", errno);
    return st;
}

size_t pread_some(int fd, char* buf, size_t n, uint64_t offset) {
    size_t done = 0;
    while (done < n) {
        ssize_t got = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read the mailbox", errno);
        }
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    return done;
}

void pwrite_all(int fd, std::string_view data, uint64_t offset) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t put = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (put < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot write the mailbox", errno);
        }
        done += static_cast<size_t>(put);
    }
}

MbxMailbox::MbxMailbox(std::string path, OpenMode mode, MbxOptions options)
    : path_(std::move(path)), read_only_(mode == OpenMode::ReadOnly), deliver_(mode == OpenMode::Deliver),
      options_(options) {
    int fd = -1;
    if (!read_only_) {
        fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0 && (errno == EACCES || errno == EROFS)) read_only_ = true;  // as UW: fall back to read-only
        else if (fd < 0) throw_errno("cannot open the mailbox", errno);
    }
    if (fd < 0) fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open the mailbox", errno);
    fd_ = std::make_shared<UniqueFd>(fd);
    struct stat st = fstat_or_throw(fd);
    if (!S_ISREG(st.st_mode)) throw MailError(ErrorKind::Invalid, "not an mbx mailbox");
    {
        // mbx_open: parse permission first, then the shared lock on the file,
        // so that we never wait for a compaction while holding it.
        UwParseLock lock = parse_lock();
        finish_compaction();
        flock_wait(fd, LOCK_SH, options_.lock_timeout_seconds);
        Header h = read_header();
        uidvalidity_ = h.uidvalidity;
        last_pid_ = h.last_pid;
        NullEventSink sink;
        absorb_header(h);
        if (options_.use_index) {
            index_path_ = index_file_path(path_, options_.index_dir, "mbx-index");
            load_open_index(h, fstat_or_throw(fd));
        }
        sync_locked(sink, true);
        if (open_index_stale()) save_open_index(true);
    }
}

void MbxMailbox::finish_compaction() {
    if (::access(CompactJournal::path_for(path_).c_str(), F_OK) != 0) return;  // none: the usual case
    // A read-only open still finishes it (the file is unreadable until then)
    // when the user may write the mailbox.
    UniqueFd rw(read_only_ ? ::open(path_.c_str(), O_RDWR | O_CLOEXEC) : -1);
    const int wfd = read_only_ ? rw.get() : fd();
    if (wfd < 0)
        throw MailError(ErrorKind::Corrupt, "the mailbox's last expunge was interrupted; it is finished at the next "
                                            "open by a process that may write the mailbox");
    // Our processes finish it before they read; UW's may have it open (and
    // have found it unreadable): do not wait for them.
    const bool alone = flock_retry(wfd, LOCK_EX | LOCK_NB);
    CompactJournal::finish_interrupted(path_, wfd);
    if (alone) ::flock(wfd, LOCK_UN);
}

MbxMailbox::~MbxMailbox() {
    try {
        if (fd_ && *fd_) flush();
    } catch (...) {
        // A failed fsync at close has no one to tell; the status bytes are written.
    }
    try {
        // This session's flag writes, appends and expunges, for the next open.
        if (fd_ && *fd_ && open_index_stale()) {
            end_other_batch();
            UwParseLock lock = UwParseLock::acquire(fd(), LOCK_EX, 1);
            save_open_index(false);
        }
    } catch (...) {
        // Busy or unwritable: the next open reads the statuses and writes it.
    }
    if (fd_ && *fd_) ::flock(fd(), LOCK_UN);
}

Header MbxMailbox::read_header() const {
    std::string buf(kHeaderSize, '\0');
    size_t got = pread_some(fd(), buf.data(), buf.size(), 0);
    auto h = parse_header(std::string_view(buf.data(), got));
    if (!h) throw MailError(ErrorKind::Corrupt, "the mailbox header is damaged (not an mbx file)");
    return *h;
}

void MbxMailbox::write_header(const Header& h) {
    pwrite_all(fd(), format_header(h), 0);
}

bool MbxMailbox::absorb_header(const Header& h) {
    // Another process that wrote flags since we looked leaves its PID: re-read flags.
    if (last_pid_ != h.last_pid) flagcheck_ = true;
    last_pid_ = h.last_pid;
    uidvalidity_ = h.uidvalidity;
    if (read_only_) last_uid_ = std::max(last_uid_, h.last_uid);
    else last_uid_ = h.last_uid;
    bool grew = false;
    for (size_t i = 0; i < h.keywords.size(); ++i) {
        if (i < keywords_.size()) continue;  // bits never change their name while in use
        keywords_.push_back(h.keywords[i]);
        grew = true;
    }
    return grew;
}

MessageContent MbxMailbox::content(size_t index) {
    const Slot& s = slots_.at(index);
    if (s.gone) throw MailError(ErrorKind::NotFound, "the message has been expunged by another session");
    return MessageContent(fd_, {FileRange{s.end(), messages_.at(index).size}});
}

std::optional<size_t> MbxMailbox::keyword_bit(std::string_view name, bool create) {
    auto find = [&]() -> std::optional<size_t> {
        for (size_t i = 0; i < keywords_.size(); ++i)
            if (!keywords_[i].empty() && keywords_[i] == name) return i;
        return std::nullopt;
    };
    if (auto bit = find()) return bit;
    if (!create || read_only_ || name.empty() || name.size() > kMaxKeywordLength) return std::nullopt;
    UwParseLock lock = parse_lock();
    Header h = read_header();
    absorb_header(h);
    if (auto bit = find()) return bit;
    if (keywords_.size() >= kMaxKeywords) return std::nullopt;
    h.keywords = keywords_;
    h.keywords.emplace_back(name);
    write_header(h);
    if (::fsync(fd()) < 0) throw_errno("cannot write the mailbox", errno);
    keywords_.emplace_back(name);
    return keywords_.size() - 1;
}

int MbxMailbox::change_fd() {
    if (inotify_) return inotify_.get();
    UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd) return -1;
    if (::inotify_add_watch(fd.get(), path_.c_str(), IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE) < 0) return -1;
    inotify_ = std::move(fd);
    return inotify_.get();
}

}  // namespace mail::mbx
