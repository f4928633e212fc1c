// A restartable compaction (EXPUNGE with the file to ourselves). The kept
// messages slide down inside the file, over the space of removed ones; a
// process killed half-way used to leave a broken record that made every
// later open fail with "the mailbox is damaged at byte N" (issue 17). Now
// the plan and the progress go to a side file first, and the next open of
// the mailbox (under the parse lock, before anything reads the messages)
// finishes the compaction from there. The mailbox file stays exactly as UW
// writes it: the journal lives beside it, in DIR/.imapd/FILE.mbx-compact
// (index/index_path.hpp with no index_dir, so that every process finds it
// whatever its configuration; RENAME and DELETE carry it along).
//
// The journal: a plan (the mailbox's dev and ino, its final size and the
// moves, each "length bytes from `from` down to `to`", ascending), hashed,
// fdatasynced before the first byte moves; then two slots, used in turn,
// each holding one chunk (at most 1 MB) with where it goes and a hash,
// written before the chunk is written into the mailbox. A chunk's source is
// never overwritten before its slot is complete, and every later source
// lies above everything written so far, so the newest whole slot says
// exactly where to go on: write its chunk again, then move the rest from
// the file itself. A slot torn by the kill is older news than the other
// slot (its chunk never reached the mailbox). The slots are not synced one
// by one (a kill loses nothing the kernel accepted; syncing each chunk made
// a 16 MB expunge take twice as long again): after a power failure in the
// middle the file is as UW would leave it.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/fd.hpp"

namespace mail::mbx {

struct CompactMove {
    uint64_t from = 0, to = 0, length = 0;  // to < from
};

class CompactJournal {
public:
    // The journal's path for a mailbox file.
    static std::string path_for(const std::string& mailbox_path);

    // Writes the plan durably; nothing when the journal cannot be written
    // (the caller then hides expunged messages instead of moving any).
    static std::optional<CompactJournal> begin(const std::string& mailbox_path, const struct stat& st,
                                               const std::vector<CompactMove>& moves, uint64_t final_size);

    // An interrupted compaction of the mailbox open on mailbox_fd: moves
    // the rest, truncates, removes the journal. False when there was none
    // (a journal whose plan is torn or is for another file is removed: no
    // byte had moved). Throws MailError when it cannot finish.
    static bool finish_interrupted(const std::string& mailbox_path, int mailbox_fd);

    // Moves everything (from the start or from where the journal says),
    // truncates the mailbox to the final size, syncs it, removes the journal.
    void run(int mailbox_fd);

private:
    CompactJournal(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    UniqueFd fd_;
    std::vector<CompactMove> moves_;
    uint64_t final_size_ = 0;
    uint64_t slots_at_ = 0;  // offset of slot 0
    // Where run() starts: the chunk of the newest whole slot (rewritten
    // first), then the bytes after it.
    size_t move_ = 0;
    uint64_t done_ = 0;
    uint64_t seq_ = 0;
    std::string redo_;       // the chunk to write again (empty: none)
    uint64_t redo_at_ = 0;
};

}  // namespace mail::mbx
