// Ordering messages by SORT criteria (RFC 5256 section 3, RFC 5957). Keys
// come from SortKeys (extracted once per message); ties left by every
// criterion are broken by sequence number, as the RFC requires.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"
#include "sort/sort_keys.hpp"

namespace mail {

enum class SortKey { Arrival, Cc, Date, From, Size, Subject, To, DisplayFrom, DisplayTo };

struct SortCriterion {
    SortKey key = SortKey::Arrival;
    bool reverse = false;
    bool operator==(const SortCriterion&) const = default;
};

// The key named `name` (upper case: "ARRIVAL", "DISPLAYFROM"...), if any.
std::optional<SortKey> sort_key_named(std::string_view name);

// The SortKeyPart groups that `criteria` compare (0 when the index alone
// answers them: ARRIVAL, SIZE).
unsigned sort_key_parts(const std::vector<SortCriterion>& criteria);

// One message to be sorted: its sequence index, index data and keys.
struct SortItem {
    size_t index = 0;  // 0-based sequence index
    const MessageInfo* info = nullptr;
    const SortKeys* keys = nullptr;
};

// `items` ordered by `criteria` (then by index); returns the indexes.
std::vector<size_t> sort_messages(std::vector<SortItem> items, const std::vector<SortCriterion>& criteria);

// Three-way comparison of two items by one key (no REVERSE).
int compare_by(SortKey key, const SortItem& a, const SortItem& b);

}  // namespace mail
