// Appending: the message is first written, filtered as mbox needs, to an
// anonymous temporary file (no lock is held while the client sends it);
// commit() then takes every lock, writes it at the end with UW's status
// lines and the separating blank line, fsyncs, and on any failure
// truncates the file back to where it was. A process killed meanwhile
// leaves the append journal, by which the next locker cuts its bytes out
// (append_journal.hpp, append_repair.hpp).
#include <sys/stat.h>
#include <time.h>

#include <optional>

#include "drivers/unix/append_filter.hpp"
#include "drivers/unix/append_journal.hpp"
#include "drivers/unix/append_repair.hpp"
#include "drivers/unix/file_io.hpp"
#include "drivers/unix/from_line.hpp"
#include "drivers/unix/lock.hpp"
#include "drivers/unix/unix_mailbox.hpp"
#include "util/error.hpp"

namespace mail::unixmbox {

class UnixAppendSink : public AppendSink {
public:
    UnixAppendSink(UnixMailbox& box, const AppendRequest& request)
        : box_(box), request_(request), temp_(anonymous_file(dir_of(box.path()))) {}

    void write(std::string_view bytes) override {
        out_.clear();
        filter_.feed(bytes, out_);
        put(out_);
    }

    Uid commit() override;

private:
    void put(std::string_view bytes) {
        write_at(temp_.get(), length_, bytes);
        length_ += bytes.size();
    }
    Uid next_uid(int fd, uint64_t size);

    UnixMailbox& box_;
    AppendRequest request_;
    UniqueFd temp_;
    uint64_t length_ = 0;
    AppendFilter filter_;
    std::string out_;
    bool committed_ = false;
};

Uid UnixAppendSink::next_uid(int fd, uint64_t size) {
    struct stat st;
    if (::fstat(fd, &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    UidState state = box_.uids_;
    if (st.st_ino != box_.ino_ || st.st_dev != box_.dev_ || size < box_.parsed_size_) {
        state = UidState{};  // rewritten since we read it: count again
        MboxScanner scanner;
        scan_file(fd, 0, size, scanner);
        scanner.finish(size);
        assign_uids(scanner.messages(), true, state, nullptr);
    } else if (size > box_.parsed_size_) {
        MboxScanner scanner;
        scan_file(fd, box_.parsed_size_, size, scanner);
        scanner.finish(size);
        assign_uids(scanner.messages(), box_.messages_.empty() && box_.parsed_size_ == 0, state, nullptr);
    }
    const Uid running = std::max(state.uid_last, state.prev_uid);
    if (!request_.uid) return running + 1;
    // A copy keeping its source's UID (mailbox.hpp): readers believe an
    // X-UID above the last message's and at most one above the X-IMAP base
    // (uid_rules.hpp), so a gap needs the base that create() wrote.
    if (request_.uid <= state.prev_uid || request_.uid > running + 1)
        throw MailError(ErrorKind::Invalid, "a unix mailbox cannot hold UID " + std::to_string(request_.uid) + " here");
    return request_.uid;
}

Uid UnixAppendSink::commit() {
    if (committed_) throw MailError(ErrorKind::Invalid, "message already committed");
    out_.clear();
    filter_.finish(out_);
    put(out_);
    // No fsync of the spool file: it has no name and is copied into the
    // mbox, whose one fsync below makes the message durable.

    // A killed append of ours is cut out first: its record is overwritten by ours.
    AppendJournal journal(box_.journal_path_);
    std::optional<MboxLock> locked;
    for (int attempt = 0;; ++attempt) {
        locked.emplace(MboxLock::acquire(box_.path(), true, true));
        if (!journal.active() || repair_append(box_.path(), locked->fd(), journal) != RepairOutcome::Cut ||
            attempt > 2)
            break;
        locked.reset();  // the file was replaced: lock the new one
    }
    MboxLock& lock = *locked;
    struct stat st;
    if (::fstat(lock.fd(), &st) < 0) throw MailError(ErrorKind::Io, "cannot examine the mailbox");
    uint64_t size = static_cast<uint64_t>(st.st_size);
    Uid uid = next_uid(lock.fd(), size);

    std::string head;
    if (size > 0) {
        char last = 0;
        if (::pread(lock.fd(), &last, 1, static_cast<off_t>(size - 1)) == 1 && last != '\n') head += '\n';
    }
    int64_t date = request_.internal_date ? request_.internal_date : ::time(nullptr);
    int32_t zone = request_.zone_minutes;
    if (!request_.internal_date) {
        time_t now = static_cast<time_t>(date);
        struct tm tm;
        ::localtime_r(&now, &tm);
        zone = static_cast<int32_t>(tm.tm_gmtoff / 60);
    }
    // As unix_append_msgs writes it: the status lines go first.
    head += format_from_line(request_.envelope_from.empty() ? local_sender() : request_.envelope_from, date, zone) + "\nStatus: ";
    if (request_.flags & kSeen) head += 'R';
    head += "\nX-Status: ";
    if (request_.flags & kDeleted) head += 'D';
    if (request_.flags & kFlagged) head += 'F';
    if (request_.flags & kAnswered) head += 'A';
    if (request_.flags & kDraft) head += 'T';
    head += "\nX-Keywords:";
    for (const auto& k : request_.keywords) head += " " + k;
    head += "\nX-UID: " + std::to_string(uid) + "\n";
    // The journal first: if we are killed while writing, the next locker cuts
    // our bytes out (append_repair.hpp). Its record and the message are made
    // durable by the one fsync of the mbox (append_journal.hpp says why that
    // is enough): one sync per APPEND, as Dovecot's mbox append.
    uint64_t from = size + (head[0] == '\n' ? 1 : 0);
    journal.begin(journal_for_self(size, from, head.size() + length_ + 1, head));
    try {
        write_at(lock.fd(), size, head);
        copy_range(temp_.get(), 0, length_, lock.fd(), size + head.size());
        write_at(lock.fd(), size + head.size() + length_, "\n");
        sync_fd(lock.fd());
    } catch (...) {
        // Leave no trace of a message we could not finish.
        if (::ftruncate(lock.fd(), static_cast<off_t>(size)) == 0 && ::fsync(lock.fd()) == 0) journal.end();
        throw;  // (if the file could not be cut back, the record stays for the repair)
    }
    journal.end();
    committed_ = true;
    box_.seen_ = FileStamp{};
    // Stat'ed under the locks, after our write: the next sync, seeing exactly
    // this, reads the tail without locking (unix_mailbox.hpp, own_stamp_).
    if (::fstat(lock.fd(), &st) == 0 && st.st_ino == box_.ino_ && st.st_dev == box_.dev_ && !box_.files_.empty())
        box_.own_stamp_ = FileStamp::of(st);
    else
        box_.own_stamp_ = FileStamp{};
    box_.appended_.insert(uid);
    // UW honours X-Keywords only for keywords in the X-IMAP table: a new one
    // goes into the table, written by the next rewrite (flush, close).
    for (const auto& k : request_.keywords) box_.keyword_bit(k, true);
    return uid;
}

std::unique_ptr<AppendSink> UnixMailbox::append(const AppendRequest& request) {
    if (read_only_) throw MailError(ErrorKind::Permission, "mailbox is read-only");
    return std::make_unique<UnixAppendSink>(*this, request);
}

}  // namespace mail::unixmbox
