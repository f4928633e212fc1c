// An open Berkeley mbox (UW c-client's "unix" format). Split by job:
//   mailbox.cpp  open, content, keywords, set_flags, flush
//   sync.cpp     reading the file: new tail, a rewrite by another program
//   append.cpp   appending under the locks
//   rewrite.cpp  writing a new file (flags, UIDs, expunge) and renaming it over
//
// Flag changes are written lazily (as Dovecot's mbox_lazy_writes and UW's
// checkpoints): change_flags() records a command's changes and flush()
// applies them, under the dot lock, to the stored flags (the entry in the
// pending-flags file, pending_flags.hpp, else the mbox's) and writes the
// result there, so no session's change is lost to another's stale copy;
// every session of ours applies that file at its sync, and
// checkpoint() writes them into the mbox by a rewrite: at CHECK, expunge(),
// close (the destructor), when another program changed the file, and at
// most flag_write_delay() after the oldest unwritten change (the session
// wakes for checkpoint_due_ms()). A rewrite never changes the old file: it writes a new one in the
// same directory under all the locks, fsyncs it and renames it over, so a
// process killed at any moment leaves every message intact; deliveries wait
// on the dot lock meanwhile and then append to the new file. Other sessions
// notice the new inode at their next sync and reread the file, matching
// messages by X-UID. While a UW process has the file open read-write we do
// not rewrite (flush keeps the changes pending, expunge says Busy).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "drivers/unix/message_place.hpp"
#include "drivers/unix/pending_flags.hpp"
#include "drivers/unix/scanner.hpp"
#include "drivers/unix/uid_rules.hpp"
#include "mailbox/mailbox.hpp"

namespace mail::unixmbox {

// What a plain stat() says of the mbox: equal stamps mean nobody wrote it
// in between (UW's unix_ping compares the same), unless both writes fell in
// one clock tick; settled() says when that can no longer be.
struct FileStamp {
    dev_t dev = 0;
    ino_t ino = 0;
    uint64_t size = 0;
    int64_t mtime_ns = -1;  // -1: none taken
    int64_t ctime_ns = -1;
    bool operator==(const FileStamp&) const = default;
    static FileStamp of(const struct stat& st);
    // Dovecot's rule: a file changed within the last two seconds of now may
    // change again without moving its times (coarse clocks, 1 s on some
    // filesystems), so it is checked under the locks.
    bool settled(int64_t now_seconds) const { return mtime_ns >= 0 && mtime_ns / 1000000000 + 2 <= now_seconds; }
};

class UnixMailbox : public Mailbox {
public:
    // index_dir: the config key; the driver's index file goes where
    // index_file_path() puts kind "index" (index_store.hpp).
    UnixMailbox(std::string path, OpenMode mode, std::string_view index_dir = {});
    ~UnixMailbox() override;

    bool read_only() const override { return read_only_; }
    Uid uidvalidity() const override { return uids_.uidvalidity; }
    Uid uidnext() const override { return uids_.uid_last + 1; }
    std::optional<size_t> keyword_bit(std::string_view name, bool create) override;
    MessageContent content(size_t index) override;
    std::unique_ptr<AppendSink> append(const AppendRequest& request) override;
    void set_flags(size_t index, uint32_t flags, KeywordMask keywords) override;
    // Applied to our copy at once (the answer to the client) and recorded;
    // flush() applies the recorded changes again to the flags on disk (the
    // pending-flags file, else the mbox) under the dot lock, so that no
    // session's change is lost to another's stale copy.
    bool change_flags(size_t index, const FlagChange& change) override;
    void flush() override;       // flag changes to the pending-flags file
    void checkpoint() override;  // ... and into the mbox
    int64_t checkpoint_due_ms() const override;
    void expunge(EventSink& sink, const std::vector<Uid>* only = nullptr) override;
    void sync(EventSink& sink, bool allow_expunge) override;
    int change_fd() override;  // change_fd.cpp

    const std::string& path() const { return path_; }

private:
    friend class UnixAppendSink;

    // sync.cpp
    // sync() without report(): flag changes wait for the next sync (which
    // the session runs where it can give them their MODSEQ).
    void catch_up(EventSink& sink, bool allow_expunge);
    void reload(EventSink& sink, bool allow_expunge);       // the whole file again
    bool read_tail(EventSink& sink, int fd, uint64_t size);  // false: not a clean tail
    // Tells sink of the messages kept from older files (removed by another
    // program while expunges could not be told) and lets them go.
    void drop_vanished(EventSink& sink);
    // True when a stat() of the mbox equals seen_ (settled) and no append
    // journal holds a record: nothing to read, no lock to take.
    bool unchanged_since_seen() const;
    // True when a stat() of the mbox equals own (our last append's
    // own_stamp_), which covers what we parsed, and no append journal holds
    // a record: the file is as our own append left it under the locks.
    bool unchanged_since_own_append(const FileStamp& own) const;
    KeywordMask keyword_mask(const std::vector<std::string>& names);
    // messages_[from...] are new to us: \Recent stays only on those no other
    // session of ours took first (recent_claim.hpp), our own appends included.
    void take_recent(size_t from);
    MessageInfo info_of(const ScannedMessage& m, Uid uid);

    // rewrite.cpp: false when the file changed under us and nothing was written.
    // Takes in the pending-flags file and removes it once the mbox has them.
    // expunge: leaves out the messages flagged \Deleted (under the lock,
    // with every session's changes), only those in `only` when given.
    // sink hears of the messages left out; without one, those that another
    // program removed stay in messages_ (read from their old file).
    bool rewrite(bool expunge, const std::vector<Uid>* only, EventSink* sink);

    // mailbox.cpp: the pending-flags file.
    // Applies the file's changes when it changed since we last read it (or
    // always when force); report() tells the client.
    void apply_pending(bool force);
    // Applies one file's entries to messages_.
    void take_pending(const PendingFlags& p);
    // changes_ applied to the stored flags and merged into the file, under
    // the dot lock held by the caller (fd: the mbox it locked).
    void save_own_pending(int fd);
    // changes_ applied again to messages_ (exact when messages_ holds the
    // stored flags: under the lock, after take_pending).
    void replay_changes();
    // Sets a message's stored flags in messages_, noting it for report().
    void note_flags(size_t index, uint32_t flags, KeywordMask keywords);
    // The stored flags of these UIDs in the mbox fd (locked), when it is
    // not the file we read (another session rewrote it).
    struct Stored {
        uint32_t flags = 0;
        KeywordMask keywords = 0;
        bool operator==(const Stored&) const = default;
    };
    std::map<Uid, Stored> flags_in_file(int fd, const std::set<Uid>& uids);
    std::vector<std::string> keyword_names(KeywordMask mask) const;
    // Tells sink of a grown keyword table (FLAGS first: RFC 3501 7.2.6),
    // then of every message in unreported_.
    void report(EventSink& sink);
    bool has_unwritten() const { return !changes_.empty() || persist_needed_ || pending_since_ != 0; }

    std::string path_;
    std::string index_path_;  // the driver's index file (index_store.hpp)
    std::string journal_path_;  // the append journal (append_journal.hpp)
    std::string recent_path_;   // who took \Recent (recent_claim.hpp)
    bool read_only_;
    bool deliver_;  // OpenMode::Deliver: rewrites keep the recent ones unread-by-anyone (no "O")
    // The files messages are read from, MessagePlace::file: [0] is the
    // current one (empty before the first read); older ones hold messages
    // that vanished from it while expunges could not be told.
    std::vector<std::shared_ptr<const UniqueFd>> files_;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
    uint64_t parsed_size_ = 0;
    FileStamp seen_;  // the mbox as the last locked read left it (all of it parsed)
    // The mbox as our last append's commit left it, stat'ed under its locks:
    // we know every byte up to its size (those we parsed, then what that
    // commit scanned and wrote), so the next sync reads the new tail without
    // locking even inside the 2-second rule. Any other writer changes the
    // size (an append) or gives a new inode (a rewrite); one rewriting in
    // place keeping the size within the same clock tick is not told apart,
    // as a locked sync (which compares only inode and size) does not either.
    // Used once: the sync after it falls back to seen_ and its rules.
    FileStamp own_stamp_;
    UidState uids_;
    bool persist_needed_ = false;  // UIDs, UIDVALIDITY or keywords not in the file yet
    // This command's flag changes, not yet in the pending-flags file (flush),
    // and each changed message's flags before its first one.
    struct Change {
        Uid uid;
        FlagChange change;
    };
    std::vector<Change> changes_;
    std::map<Uid, Stored> change_base_;
    std::set<Uid> unreported_;  // flags changed in messages_, not yet told to the client
    size_t keywords_told_ = 0;  // the keyword table's size the client knows
    std::string pending_path_;     // the pending-flags file
    PendingStamp pending_seen_;    // its version we last applied
    int64_t pending_since_ = 0;    // time() of the oldest change not in the mbox; 0: none
    int64_t retry_at_ = 0;         // after a failed checkpoint, no timer before this time()
    std::vector<MessagePlace> places_;  // parallel to messages_
    std::set<Uid> appended_;  // by this session: \Recent when they show up
    UniqueFd inotify_;             // change_fd(): the file and its directory
    ino_t watched_ino_ = 0;        // the inode the file watch is on
};

}  // namespace mail::unixmbox
