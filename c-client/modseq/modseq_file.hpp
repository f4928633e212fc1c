// A mailbox's modseq log on disk (modseq_log.hpp), shared by every session
// of the mailbox: found through index/index_path.hpp (kind "modseq"),
// changed only under an exclusive flock, appended to with one write and
// fdatasync per change, compacted by write-tmp-and-rename.
//
//     auto file = ModseqFile::open(path, index_dir);  // null: [NOMODSEQ]
//     {
//         ModseqFile::Guard g = file->lock();  // reads what others appended
//         mailbox.sync(sink, true);
//         file->sync(mailbox);                 // notices others' changes
//     }
//
// A missing file is created with HIGHESTMODSEQ taken from the clock
// (microseconds since the epoch), so that it is larger than any a previous
// file gave out (they advance by one a change); a damaged one is rebuilt
// above the largest modseq it still shows; a UIDVALIDITY change starts a
// new state above the old one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/mailbox.hpp"
#include "modseq/modseq_changes.hpp"
#include "util/fd.hpp"

namespace mail {

class ModseqFile {
public:
    // Null when the file cannot be made (e.g. a spool directory the user may
    // not write): the mailbox then has no modseqs ([NOMODSEQ]).
    static std::unique_ptr<ModseqFile> open(const std::string& mailbox_path, std::string_view index_dir);
    explicit ModseqFile(std::string path);

    class Guard {
    public:
        explicit Guard(ModseqFile* file) : file_(file) {}
        Guard(Guard&& o) noexcept : file_(std::exchange(o.file_, nullptr)) {}
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        ~Guard();
    private:
        ModseqFile* file_;
    };
    // Takes the lock (waits) and reads what other processes appended.
    // Nested calls are allowed; the outermost guard unlocks.
    Guard lock();

    // With the lock held: brings the log in line with the mailbox's current
    // view (new messages, flag and keyword changes, expunges, a new
    // UIDVALIDITY), all under one new modseq. Returns it, 0 if nothing changed.
    uint64_t sync(const Mailbox& mailbox);
    // With the lock held: gives these messages' current flags a new modseq
    // (a STORE), even when the log already shows them. Returns the modseq.
    uint64_t record(const Mailbox& mailbox, const std::vector<size_t>& indexes);

    const ModseqState& state() const { return state_; }
    uint64_t highest() const { return state_.highest; }
    // The message's modseq; 0 when the log does not know it yet.
    uint64_t modseq_of(Uid uid) const;
    // UIDs expunged with a modseq above `since`. `complete` is false when
    // expunges that old were forgotten: the caller must then assume every
    // UID it cannot see was expunged.
    std::vector<Uid> expunged_since(uint64_t since, bool& complete) const;

    const std::string& path() const { return path_; }
    // Expunges remembered at compaction; older ones only raise the floor.
    static constexpr size_t kMaxExpunged = 20000;

private:
    void reopen_and_lock();
    void read_new();
    void reload();
    void rebuild(uint64_t above);
    void append(const std::string& lines);
    void compact_if_large();
    void write_whole();

    std::string path_;
    UniqueFd fd_;
    unsigned lock_depth_ = 0;
    ModseqState state_;
    uint64_t size_ = 0;     // bytes of the file read into state_
    size_t records_ = 0;    // lines in the file, for deciding when to compact
    ino_t ino_ = 0;
    dev_t dev_ = 0;
};

// The mailbox's message as the log records it: storable flags and the
// names of its keywords, sorted.
ModseqEntry modseq_snapshot(const Mailbox& mailbox, size_t index);

}  // namespace mail
