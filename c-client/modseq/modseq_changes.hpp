// Change detection: what must be added to a mailbox's modseq log so that it
// agrees with what the mailbox holds now. Pure, so that it can be tested
// without files; modseq_file.cpp feeds it the open mailbox's view.
#pragma once

#include <utility>
#include <vector>

#include "modseq/modseq_log.hpp"

namespace mail {

// A message as the mailbox shows it now (entry.modseq unused).
struct MessageSnapshot {
    Uid uid = 0;
    ModseqEntry entry;
};

struct ModseqChanges {
    std::vector<MessageSnapshot> messages;  // new messages and changed flags/keywords
    std::vector<Uid> expunged;              // in the state, no longer in the mailbox
    bool empty() const { return messages.empty() && expunged.empty(); }
};

// `view` in ascending UID order, complete (every message the mailbox holds).
ModseqChanges detect_modseq_changes(const ModseqState& state, const std::vector<MessageSnapshot>& view);

// Records the changes in state under one new modseq (state.highest + 1),
// returns the log lines that say the same, and sets `modseq` to it.
std::string apply_modseq_changes(ModseqState& state, const ModseqChanges& changes, uint64_t& modseq);

}  // namespace mail
