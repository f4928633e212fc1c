#include "modseq/modseq_changes.hpp"

namespace mail {

ModseqChanges detect_modseq_changes(const ModseqState& state, const std::vector<MessageSnapshot>& view) {
    ModseqChanges changes;
    auto it = state.messages.begin();
    for (const MessageSnapshot& m : view) {
        while (it != state.messages.end() && it->first < m.uid) changes.expunged.push_back((it++)->first);
        if (it != state.messages.end() && it->first == m.uid) {
            const ModseqEntry& known = it->second;
            if (known.flags != m.entry.flags || known.keywords != m.entry.keywords) changes.messages.push_back(m);
            ++it;
        } else {
            changes.messages.push_back(m);
        }
    }
    while (it != state.messages.end()) changes.expunged.push_back((it++)->first);
    return changes;
}

std::string apply_modseq_changes(ModseqState& state, const ModseqChanges& changes, uint64_t& modseq) {
    std::string lines;
    modseq = 0;
    if (changes.empty()) return lines;
    modseq = ++state.highest;
    for (const MessageSnapshot& m : changes.messages) {
        ModseqEntry e = m.entry;
        e.modseq = modseq;
        lines += modseq_message_line(m.uid, e);
        state.expunged.erase(m.uid);
        state.messages[m.uid] = std::move(e);
    }
    for (Uid uid : changes.expunged) {
        lines += modseq_expunge_line(uid, modseq);
        state.messages.erase(uid);
        state.expunged[uid] = modseq;
    }
    return lines;
}

}  // namespace mail
