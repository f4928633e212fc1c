// Repairing a Berkeley mbox after one of our appends was killed while it
// wrote (the journal, append_journal.hpp, says where and how much). Run by
// whoever of ours next takes the mailbox's locks: an append's commit, and
// the reads at open and at every sync.
//
// With the record of a writer that is gone, the file is examined after its
// START:
//   - the bytes there are not the head the record holds (killed before or
//     in its first write, then another writer appended): their message
//     begins at the last From line before the first differing byte; only
//     our bytes before it, if any, are cut out;
//   - the append had finished (LENGTH bytes, a newline last, then the end
//     of the file or a From line): kept, the record cleared;
//   - only the partial bytes follow: the file is truncated back to START;
//   - another writer (procmail, Postfix, UW: they do not know the journal)
//     appended after the partial bytes: their message begins at the first
//     From line after ours (our bytes never hold one: the body's "From "
//     lines are quoted, and a mid-line one must be a whole valid separator
//     line to count). Only the partial bytes are cut out, by writing a new
//     file beside the old one, fsyncing it and renaming it over (as the
//     driver's rewrite does); sessions notice the new inode.
// A record of a live writer is left alone, as is the file. Nothing is cut
// while a UW session has the file open read-write (it would be confused):
// the record stays for a later repair.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "drivers/unix/append_journal.hpp"

namespace mail::unixmbox {

enum class RepairOutcome {
    Nothing,    // no record (a torn one is cleared)
    LeftAlone,  // the writer is alive (or on another host)
    Finished,   // the append was whole: kept
    Truncated,  // partial bytes at the end: cut back to START
    Cut,        // partial bytes before another writer's message: a new file renamed over the old
    Deferred,   // a UW session has the file open: the record kept for later
};

// Under the caller's exclusive MboxLock; locked_fd is that lock's O_RDWR
// descriptor. After Cut, locked_fd names the old inode: the caller locks
// the mailbox again before writing.
RepairOutcome repair_append(const std::string& mailbox_path, int locked_fd, AppendJournal& journal);

// When the journal holds a record: takes the mailbox's locks, repairs, and
// releases them. Errors (a mailbox we may not write, a lock held too long)
// are swallowed: the file reads as it is and the next locker tries again.
void recover_append(const std::string& mailbox_path, const std::string& journal_path);

// The first offset in [begin, end) where a "From " starts a valid separator
// line (ended by a newline before the end of the file), at a line start or
// not. Reads in 1 MB pieces.
std::optional<uint64_t> find_from_line(int fd, uint64_t begin, uint64_t end);

}  // namespace mail::unixmbox
