#include "drivers/unix/uid_rules.hpp"

#include <algorithm>

namespace mail::unixmbox {

std::vector<Uid> assign_uids(const std::vector<ScannedMessage>& messages, bool first_batch, UidState& state,
                             bool* assigned) {
    std::vector<Uid> uids(messages.size(), 0);
    size_t i = 0;
    if (first_batch && !messages.empty() && messages[0].base) {
        const MailboxBase& b = *messages[0].base;
        state.have_base = true;
        state.pseudo = messages[0].pseudo;
        state.uidvalidity = b.uidvalidity;
        state.uid_last = b.uid_last;
        state.base_keywords = b.keywords;
        if (state.pseudo) i = 1;  // not a message
    }
    for (; i < messages.size(); ++i) {
        const auto& xuid = messages[i].xuid;
        uint32_t running = std::max(state.uid_last, state.prev_uid);
        Uid uid;
        if (state.have_base && xuid && *xuid > state.prev_uid && *xuid <= uint64_t{running} + 1) {
            uid = static_cast<Uid>(*xuid);
        } else {
            uid = running + 1;
            if (assigned) *assigned = true;
        }
        uids[i] = uid;
        state.prev_uid = uid;
        state.uid_last = std::max(state.uid_last, uid);
    }
    return uids;
}

}  // namespace mail::unixmbox
