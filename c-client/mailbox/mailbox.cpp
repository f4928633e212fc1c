#include "mailbox/mailbox.hpp"

#include <algorithm>

namespace mail {

std::optional<size_t> Mailbox::index_of(Uid uid) const {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                               [](const MessageInfo& m, Uid u) { return m.uid < u; });
    if (it == messages_.end() || it->uid != uid) return std::nullopt;
    return static_cast<size_t>(it - messages_.begin());
}

bool Mailbox::change_flags(size_t index, const FlagChange& change) {
    const MessageInfo& m = messages_.at(index);
    const uint32_t flags = change.apply(m.flags);
    const KeywordMask keywords = change.apply(m.keywords);
    if (flags == (m.flags & kStorableFlags) && keywords == m.keywords) return false;
    set_flags(index, flags, keywords);
    return true;
}

}  // namespace mail
