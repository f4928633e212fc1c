#include "mailbox/mailbox.hpp"

#include <algorithm>

namespace mail {

std::optional<size_t> Mailbox::index_of(Uid uid) const {
    auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                               [](const MessageInfo& m, Uid u) { return m.uid < u; });
    if (it == messages_.end() || it->uid != uid) return std::nullopt;
    return static_cast<size_t>(it - messages_.begin());
}

}  // namespace mail
