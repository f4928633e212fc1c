// The append journal of a Berkeley mbox: a one-line record that an append
// in progress writes, under every mailbox lock, before its first byte goes
// into the mbox, and clears once the message is fsynced. A process killed
// in between (SIGKILL, a crash, power loss) leaves the record behind, and
// the next process of ours that takes the lock (append_repair.hpp) cuts the
// part it wrote out of the file. Other writers (procmail, Postfix, UW) do
// not know the journal; the repair keeps whatever they appended.
//
// The record lives in the library's per-mailbox file of kind "append"
// (index/index_path.hpp). It is rewritten in place (no directory change);
// an empty file means no append is in progress. It is not fsynced by
// itself: against a killed process the page cache is enough (the repairer
// reads the same cache), and against power loss the record is written
// before the mbox grows, so on a filesystem that commits data before the
// metadata that exposes it (ext4's default data=ordered: both size changes
// go into the journal in order) the mbox's fsync makes the record durable
// no later than the bytes it covers. Elsewhere a power loss during an
// append may leave its partial bytes, as Dovecot's and procmail's would. Where that file cannot be made (a spool directory
// the user may not write), appends go on without a journal and a killed
// one leaves its part, as procmail's and UW's do.
//
//   record: "PID STARTTIME HOST START FROM LENGTH HEADLEN\n" then HEAD
//   PID, STARTTIME  the writer, STARTTIME from /proc/PID/stat (0: unknown),
//                   so that a reused PID is not taken for the writer
//   HOST            gethostname(): a PID means nothing on another host (NFS)
//   START           the mbox size before the append: where its bytes begin
//   FROM            where its "From " line begins (START, or START+1 when a
//                   newline had to end the file's last line first)
//   LENGTH          the number of bytes the append writes
//   HEAD            its first HEADLEN bytes (the From line and status
//                   lines): the repair tells by them whether the bytes at
//                   START are ours at all (a kill before the first write
//                   leaves a record and another writer's message there)
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/fd.hpp"

namespace mail::unixmbox {

struct JournalRecord {
    pid_t pid = 0;
    uint64_t start_time = 0;
    std::string host;
    uint64_t start = 0;
    uint64_t from = 0;
    uint64_t length = 0;
    std::string head;

    bool operator==(const JournalRecord&) const = default;
};

// Pure: the line, and its parse (nullopt for anything malformed, e.g. a torn
// write; the repair then leaves the mailbox alone).
std::string format_journal(const JournalRecord& record);
std::optional<JournalRecord> parse_journal(std::string_view text);

// The record of an append by this process.
JournalRecord journal_for_self(uint64_t start, uint64_t from, uint64_t length, std::string head);

// False only when the writer is known to be gone: same host, and no process
// with its PID (or one started at another time). Another host's: true.
bool writer_alive(const JournalRecord& record);

// The start time of a process (/proc/PID/stat field 22), 0 when unknown.
uint64_t process_start_time(pid_t pid);

// True when the journal file holds a record (a cheap stat()).
bool journal_pending(const std::string& journal_path);

// The journal file of one mailbox, opened for an append.
class AppendJournal {
public:
    // Opens or creates the file (making its directory); inactive when that
    // is not possible, and then begin() and end() do nothing.
    explicit AppendJournal(const std::string& journal_path);

    bool active() const { return static_cast<bool>(fd_); }
    // Writes the record (before the first mbox byte; no fsync, see above).
    void begin(const JournalRecord& record);
    // Clears the record. No fsync and no error: a record left of a finished
    // append is recognised as finished by the repair.
    void end();
    // The record the file holds now, if any (the repair reads it through this).
    std::optional<JournalRecord> read() const;

private:
    UniqueFd fd_;
};

}  // namespace mail::unixmbox
