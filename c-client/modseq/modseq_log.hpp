// The modification sequences of one mailbox (RFC 7162 CONDSTORE/QRESYNC) as
// a value, and its file format: an append-only log of text lines, so that a
// change is one write() and a crash leaves at most a torn last line.
//
//   IMAPD-MODSEQ 1 UIDVALIDITY HIGHEST FLOOR     first line (written at compaction)
//   M UID MODSEQ FLAGS [KEYWORD...]              a message's flags at MODSEQ
//   X UID MODSEQ                                 the message was expunged at MODSEQ
//
// FLAGS is the storable SystemFlag bits in hex; keywords are IMAP atoms, sorted.
// FLOOR: expunges at or below it were forgotten (bounded history), so
// VANISHED (EARLIER) for an older modseq cannot be exact.
// The parser is pure (bytes in, state out) so that it can be unit-tested and fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail {

// What is remembered of a message: its modseq and the flags and keyword
// names it had then (to notice changes made by programs that do not know
// the file: UW imapd, procmail, Dovecot, mailutil).
struct ModseqEntry {
    uint64_t modseq = 0;
    uint32_t flags = 0;                 // kStorableFlags bits
    std::vector<std::string> keywords;  // sorted names
    bool operator==(const ModseqEntry&) const = default;
};

struct ModseqState {
    Uid uidvalidity = 0;
    uint64_t highest = 0;        // HIGHESTMODSEQ: the largest modseq given
    uint64_t expunge_floor = 0;  // expunges at or below it are forgotten
    std::map<Uid, ModseqEntry> messages;
    std::map<Uid, uint64_t> expunged;  // UID -> modseq of its expunge
    bool operator==(const ModseqState&) const = default;
};

struct LogReadResult {
    size_t consumed = 0;      // bytes up to the end of the last whole line
    bool has_header = false;  // the first line was read (only asked for at offset 0)
    bool damaged = false;     // a whole line that is not a record (or no header)
    uint64_t max_modseq = 0;  // the largest modseq on any readable line, damaged or not
};

// Applies the log's lines to state. `at_start`: bytes begin at the file's
// start, so the first line must be the header. A torn last line (no LF) is
// left unconsumed. A damaged line is skipped and reported.
LogReadResult apply_modseq_log(ModseqState& state, std::string_view bytes, bool at_start);

// The lines for a message's state and for an expunge.
std::string modseq_message_line(Uid uid, const ModseqEntry& entry);
std::string modseq_expunge_line(Uid uid, uint64_t modseq);
// A whole compacted file: header, messages, expunges (the newest
// max_expunged of them; older ones raise the floor).
std::string modseq_file_text(const ModseqState& state, size_t max_expunged);

// Whether a keyword name can be stored (an IMAP atom without spaces).
bool modseq_keyword_ok(std::string_view name);

}  // namespace mail
