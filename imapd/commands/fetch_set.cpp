#include "imapd/commands/fetch_set.hpp"

#include <algorithm>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

std::vector<size_t> message_indexes(const Mailbox& mailbox, const SequenceSet& set, bool uid,
                                    const std::vector<Uid>* saved) {
    const auto& messages = mailbox.messages();
    std::vector<size_t> out;
    if (set.is_saved()) {
        if (!saved) throw ParseError("The saved search result $ is not supported here");
        for (Uid u : *saved)  // ascending; expunged ones are gone
            if (auto index = mailbox.index_of(u)) out.push_back(*index);
        return out;
    }
    if (!uid) {
        const size_t count = messages.size();
        bool has_star = std::any_of(set.ranges().begin(), set.ranges().end(), [](const SequenceSet::Range& r) {
            return r.first == SequenceSet::kStar || r.last == SequenceSet::kStar;
        });
        SequenceSet resolved = set.resolve(static_cast<uint32_t>(count));
        if ((has_star && count == 0) || resolved.last() > count || resolved.contains(0))
            throw ParseError("Invalid messageset");
        resolved.for_each([&](uint32_t n) { out.push_back(n - 1); });
        return out;
    }
    const Uid largest = messages.empty() ? 0 : messages.back().uid;
    SequenceSet resolved = set.resolve(largest);
    if (resolved.empty()) return out;
    // Walk whichever is smaller: the UIDs named or the messages present.
    if (resolved.size() < messages.size()) {
        resolved.for_each([&](uint32_t n) {
            if (auto index = mailbox.index_of(n)) out.push_back(*index);
        });
    } else {
        for (size_t i = 0; i < messages.size(); ++i)
            if (resolved.contains(messages[i].uid)) out.push_back(i);
    }
    return out;
}

}  // namespace mail::imapd
