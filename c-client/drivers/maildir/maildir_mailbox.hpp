// An open maildir (Maildir++, Dovecot-compatible). The implementation is
// split by job: mailbox.cpp (open, content, keywords), sync.cpp (scan of
// new/ and cur/, UID assignment), append.cpp, expunge.cpp, flags.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "drivers/maildir/dates.hpp"
#include "drivers/maildir/dir_state.hpp"
#include "drivers/maildir/files.hpp"
#include "drivers/maildir/lock.hpp"
#include "drivers/maildir/message_files.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "mailbox/mailbox.hpp"

namespace mail::maildir {

// Files found by a scan of new/ and cur/, by base name.
struct ScannedFile {
    std::string name;
    bool in_new = false;
};
// Hashed, not ordered: a sync looks up every message's base name in it, and
// 10,000 names sharing long prefixes made an ordered map's compares the cost.
struct BaseNameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ScanResult = std::unordered_map<std::string, ScannedFile, BaseNameHash, std::equal_to<>>;

class MaildirMailbox : public Mailbox {
public:
    // index_dir: the configuration's (index/index_path.hpp), for imapd-dates.
    MaildirMailbox(std::string path, OpenMode mode, LockTimeouts timeouts = {}, std::string_view index_dir = {});
    ~MaildirMailbox() override;  // saves dates read on demand (imapd-dates)

    bool read_only() const override { return read_only_; }
    Uid uidvalidity() const override { return uidlist_.uidvalidity; }
    Uid uidnext() const override { return uidlist_.next_uid; }
    std::optional<size_t> keyword_bit(std::string_view name, bool create) override;
    MessageContent content(size_t index) override;
    // internal_date.cpp: an open leaves the dates not in imapd-dates unknown;
    // the first reader stats the file (fstatat on a held cur/ or new/).
    const MessageInfo& dated(size_t index) override;
    // A maildir file's bytes never change under its name's base, a UID is
    // never given to another message under one UIDVALIDITY, and the cache
    // is bound to the UIDVALIDITY: UID and size prove a record, as Dovecot's
    // cache trusts them, and a FETCH from the cache needs no stat.
    int64_t cache_key_date(size_t) override { return 0; }
    std::unique_ptr<AppendSink> append(const AppendRequest& request) override;
    void set_flags(size_t index, uint32_t flags, KeywordMask keywords) override;
    // flags.cpp: applies the change to the flags of the file's name on disk.
    bool change_flags(size_t index, const FlagChange& change) override;
    void flush() override;  // fsyncs cur/ once after set_flags' renames
    void expunge(EventSink& sink, const std::vector<Uid>* only = nullptr) override;
    void sync(EventSink& sink, bool allow_expunge) override;
    int change_fd() override;
    std::string mailbox_id() const override { return uidlist_.guid; }

    const std::string& path() const { return path_; }

private:
    friend class MaildirAppendSink;

    std::string dir(const char* sub) const { return path_ + "/" + sub; }
    std::string file_path(size_t index) const;
    // The flag letters of a name that we keep but do not interpret: those
    // we do not know and keyword letters without a name.
    std::string other_flags(std::string_view name) const;
    std::string uidlist_path() const { return path_ + "/dovecot-uidlist"; }
    std::string keywords_path() const { return path_ + "/dovecot-keywords"; }

    // sync.cpp
    ScanResult scan() const;
    // A scan read twice when it lacks a file we know (a message, or a
    // record above our last one), counting a file seen in either read.
    ScanResult scan_confirmed() const;
    // The base names of known messages and of records above them that
    // files lacks.
    std::vector<std::string> absent_from(const ScanResult& files) const;
    // Under the lock: drops the records of these bases whose files are gone.
    void drop_orphans(const std::vector<std::string>& bases);
    void move_new_to_cur(ScanResult& files, std::set<std::string>& moved);
    // True when it changed. A damaged file is rebuilt (repair_uidlist);
    // held: the uidlist lock when the caller has it.
    bool reload_uidlist(DotLock* held = nullptr);
    // Rewrites a damaged uidlist from what salvage_uidlist() keeps, with a
    // new UIDVALIDITY only when it must; returns the list and sets the stamp.
    Uidlist repair_uidlist(DotLock* held);
    void ensure_uidlist();
    // Gives UIDs to the files no record names; files is read again under
    // the lock when there are any.
    void assign_uids(ScanResult& files);
    void merge(EventSink& sink, bool allow_expunge, const ScanResult& files,
               const std::set<std::string>& moved);
    // The flags and keywords a file name carries.
    MessageInfo info_for(Uid uid, std::string_view name) const;
    // Adds the message of a new uidlist record whose file is `file`; false
    // when the file is gone.
    bool add_message(const UidlistRecord& rec, const ScannedFile& file);
    // Without a scan: the messages this session appended since the last one,
    // when they are all that is new (false: a scan is needed).
    bool add_own_appends(EventSink& sink);
    // Own changes to cur/ (dir_state.hpp): the stamp before one, and after
    // it; false when another process changed cur/ too (the next sync scans).
    FileStamp cur_stamp() const { return stamp_of(dir("cur")); }
    bool end_own_change(const FileStamp& before);
    // Finds a message's file again by base name after a rename by another
    // program; false when it is gone.
    bool relocate(size_t index);
    void write_uidlist_locked(DotLock& lock);
    // Memory: after a sync the records of the messages we hold are dropped
    // (files_ has their base names), all but the last, whose UID append.cpp
    // compares with. restore_records() reads them back before a rewrite.
    void trim_records();
    void restore_records();
    // Writes uidlist_.records[first..] at the end of the file (fsynced), as
    // Dovecot does, instead of rewriting it: an APPEND to a mailbox of N
    // messages must not cost O(N). Rewrites the whole file when it cannot
    // append (no file, version 1, a torn last line).
    void append_uidlist_locked(DotLock& lock, size_t first);

    // dates.cpp's file: read before a sync that adds many messages (the
    // open), written after one that had to stat files for their dates.
    void load_dates();
    void save_dates(bool opening);

    // recent.cpp: takes \Recent for the UIDs no session has claimed yet
    // (read-write only), into recent_.
    // listed_before: the highest UID the uidlist had before this sync gave
    // new ones; moved: the names this sync moved from new/ to cur/.
    void claim_recent(const ScanResult& files, const std::set<std::string>& moved, Uid listed_before);
    // nullopt: no claim file, or one for another UIDVALIDITY.
    std::optional<Uid> read_recent_claim() const;
    bool write_recent_claim(Uid last_claimed);

    // mailbox.cpp
    bool reload_keywords();  // true when the table grew
    uint32_t letters_from_mask(KeywordMask mask) const;

    std::string path_;
    bool read_only_;
    bool claims_recent_;  // opened by SELECT, not EXAMINE/STATUS or to deliver
    LockTimeouts timeouts_;
    Uidlist uidlist_;
    std::string dates_path_;
    std::optional<std::vector<DateRecord>> dates_;  // during a sync only
    size_t dates_missed_ = 0;  // dates taken by stat since imapd-dates was written
    UniqueFd stat_dirs_[2];    // new/, cur/, opened at the first dated(): fstatat, not a path walk a file
    bool records_trimmed_ = false;  // uidlist_.records lacks the UIDs below its first
    FileStamp uidlist_stamp_;
    FileStamp keywords_stamp_;
    DirState new_state_, cur_state_;
    std::unordered_map<std::string, std::string> own_appends_;  // base -> name in cur/, since the last scan
    std::optional<FileStamp> rename_start_;  // cur/'s stamp before this batch of set_flags renames
    MessageFiles files_;
    std::set<Uid> recent_;  // UIDs this session claimed, to mark \Recent when they show up
    Uid claimed_ = 0;       // the highest UID known claimed (by anyone)
    UniqueFd inotify_;
    bool renamed_ = false;  // set_flags renamed files since the last flush()
};

// The UIDVALIDITY for a new mailbox under a Maildir++ root: Dovecot's
// dovecot-uidvalidity counter (hex) plus one, or the current time.
Uid next_uidvalidity(const std::string& root);
// The Maildir++ root of a maildir: its parent when it has a maildirfolder file.
std::string maildir_root(const std::string& path);
// RFC822.SIZE of a file: its size with bare LFs counted as CRLF.
uint64_t compute_vsize(int fd);
// Sets a message's internal date (seconds) and its zone, the local one then.
void set_internal_date(MessageInfo& info, int64_t date);
// A new mailbox GUID for the uidlist's G field: 32 hex digits.
std::string random_guid();

}  // namespace mail::maildir
