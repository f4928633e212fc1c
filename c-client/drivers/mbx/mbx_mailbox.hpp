// An open mbx file, shared read-write with other sessions (ours and UW's)
// by UW's locking: flock(LOCK_SH) on the file while open, the /tmp parse/
// append lock (lock/uw_lock.hpp) around every parse, append and flag write,
// flock(LOCK_EX) only to compact. Split by job: mailbox.cpp (open, header,
// content, keywords), parse.cpp (reading message lines, UIDs, \Recent),
// sync.cpp, append.cpp, flags.cpp, expunge.cpp.
//
// Memory: MessageInfo plus an 8-byte Slot per message, in vectors sized to
// the count at open; message bytes are never held.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/mbx/format.hpp"
#include "lock/uw_lock.hpp"
#include "mailbox/mailbox.hpp"

namespace mail::mbx {

// Where a message is in the file, parallel to Mailbox::messages_. Packed
// into 8 bytes (100,000 messages: 0.8 MB, not 1.6): a line is at most
// kMaxLineLength + a few bytes long (parse_message_line looks at no more).
struct Slot {
    uint64_t offset : 56 = 0;      // of its line
    uint64_t line_length : 7 = 0;  // of the line, CRLF included
    bool gone : 1 = false;         // expunged by another process; reported at a sync allowing expunges
    uint64_t end() const;
};
static_assert(sizeof(Slot) == 8);

// A message parsed from the file but not yet in the index.
struct Parsed {
    MessageInfo info;
    Slot slot;
};

struct MbxOptions {
    int lock_timeout_seconds = mail::lock_timeout_seconds();  // lock/lock_timeout.hpp
    // Where the open index goes (index/index_path.hpp); use_index false: none.
    std::string index_dir;
    bool use_index = true;
};

class MbxMailbox : public Mailbox {
public:
    MbxMailbox(std::string path, OpenMode mode, MbxOptions options = {});
    ~MbxMailbox() override;

    bool read_only() const override { return read_only_; }
    Uid uidvalidity() const override { return uidvalidity_; }
    Uid uidnext() const override { return last_uid_ + 1; }
    std::optional<size_t> keyword_bit(std::string_view name, bool create) override;
    MessageContent content(size_t index) override;
    std::unique_ptr<AppendSink> append(const AppendRequest& request) override;
    void set_flags(size_t index, uint32_t flags, KeywordMask keywords) override;
    // Applies the change to the status in the file, read under the lock.
    bool change_flags(size_t index, const FlagChange& change) override;
    void flush() override;  // one fsync after a command's set_flags
    void expunge(EventSink& sink, const std::vector<Uid>* only = nullptr) override;
    void sync(EventSink& sink, bool allow_expunge) override;
    int change_fd() override;

    const std::string& path() const { return path_; }
    const Slot& slot(size_t index) const { return slots_.at(index); }

private:
    friend class MbxAppendSink;

    int fd() const { return fd_->get(); }
    // Ends a flag batch of this process on the same file first (ours or
    // another instance's): its lock is the same parse lock, and a second
    // flock on a new descriptor of it would wait for ourselves.
    UwParseLock parse_lock();

    // flags.cpp: set_flags takes the parse lock at its first call and keeps
    // it (as UW's mbx_flag holds its flag lock over a whole sequence) until
    // flush() or any other locked operation ends the batch.
    void begin_flag_batch();
    void end_flag_batch();
    void end_other_batch();  // another instance's batch on this file, in this process
    // The message's UW status bits (and keywords) in the file, read in the
    // batch (or ours when trusted); throws NotFound for an expunged message.
    uint32_t stored_status(size_t index, uint32_t& keywords);
    void store_status(size_t index, uint32_t flags, uint32_t keywords);

    // mailbox.cpp: the header, read and written under the parse lock.
    Header read_header() const;
    void write_header(const Header& h);
    // Takes in the header's keywords, UIDVALIDITY and last UID; true when
    // the keyword table grew. Sets flagcheck_ when another process wrote flags.
    bool absorb_header(const Header& h);

    // parse.cpp (parse lock held)
    // Reads the messages after parsed_size_ into pending_, assigning UIDs and
    // marking them seen (fOLD) as mbx_parse does. A cut-off tail (a crashed
    // append) is truncated when read-write and ignored when read-only.
    void parse_tail(const struct stat& st);
    // Re-reads every message line after another process compacted the file.
    void rescan();
    // Re-reads the status of every indexed message (another process changed
    // flags); marks messages with fEXPUNGED gone.
    void sweep_flags(EventSink& sink);
    bool read_status(const Slot& s, uint32_t& keywords, uint32_t& uw_flags) const;
    void write_status(const Slot& s, uint32_t keywords, uint32_t uw_flags, Uid uid);

    // open_index_use.cpp (parse lock held): the open index (open_index.hpp).
    // load fills messages_ and slots_ from it when it may be trusted (false:
    // parse the whole file); save writes it when what we hold is the file's.
    bool load_open_index(const Header& h, const struct stat& st);
    void save_open_index(bool just_synced);
    bool open_index_stale() const;

    // sync.cpp (parse lock held)
    void sync_locked(EventSink& sink, bool allow_expunge, bool may_compact = true);
    void report_gone(EventSink& sink);
    void remember_file_state();
    void note_mtime(const struct stat& st);  // known_mtime_ns_ and known_settled_

    // mailbox.cpp (parse lock held, at open): finishes a compaction that a
    // killed process left half done (compact_journal.hpp).
    void finish_compaction();

    // expunge.cpp: compacts the file when no one else has it open (true),
    // else nothing. Removes the messages selected by `remove` from the index.
    bool compact(EventSink& sink, const std::vector<bool>& remove);
    // expunge.cpp: removes the messages marked in `remove` (any: some are),
    // compacting or else leaving holes; also reclaims earlier holes.
    void expunge_marked(EventSink& sink, const std::vector<bool>& remove, bool any);

    std::string path_;
    bool read_only_;
    bool deliver_;  // OpenMode::Deliver: takes no \Recent (leaves fOLD unset)
    MbxOptions options_;
    std::shared_ptr<UniqueFd> fd_;
    Uid uidvalidity_ = 0;
    Uid last_uid_ = 0;
    uint32_t last_pid_ = 0;         // the header's flag-writer PID at our last parse
    std::vector<Slot> slots_;
    std::vector<Parsed> pending_;   // parsed, not yet reported by exists()
    uint64_t parsed_size_ = kHeaderSize;
    int64_t known_mtime_ns_ = -1;   // the file's mtime after our last look or write
    bool flagcheck_ = false;        // flags must be re-read from the file
    bool known_settled_ = false;    // the clock had passed known_mtime_ns_ when we noted it
    bool trust_statuses_ = false;   // this flag batch: the file's statuses are what we hold
    bool flags_unsynced_ = false;   // set_flags wrote status bytes not yet fsynced
    std::optional<UwParseLock> batch_lock_;  // held from a command's first set_flags to flush()
    std::pair<dev_t, ino_t> batch_key_{};    // the file the batch is registered under
    bool holes_ = false;            // expunged space (fEXPUNGED or gaps) to reclaim
    UniqueFd inotify_;
    std::string index_path_;        // of the open index; empty: none
    bool index_fresh_ = false;      // the index on disk is settled and was written at...
    int64_t index_mtime_ns_ = -1;   // ...this mtime...
    uint64_t index_covered_ = 0;    // ...and this size
};

// The file's mtime in nanoseconds.
int64_t mtime_ns(const struct stat& st);
// pread/pwrite of exactly the bytes asked for; throw MailError on failure
// (pread_some returns fewer at the end of the file).
size_t pread_some(int fd, char* buf, size_t n, uint64_t offset);
void pwrite_all(int fd, std::string_view data, uint64_t offset);
[[noreturn]] void throw_errno(const std::string& what, int err);
struct stat fstat_or_throw(int fd);

}  // namespace mail::mbx
