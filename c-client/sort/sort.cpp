#include "sort/sort.hpp"

#include <algorithm>

namespace mail {

namespace {

template <class T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : b < a ? 1 : 0;
}

}  // namespace

std::optional<SortKey> sort_key_named(std::string_view name) {
    struct Named {
        std::string_view name;
        SortKey key;
    };
    static constexpr Named kNames[] = {
        {"ARRIVAL", SortKey::Arrival}, {"CC", SortKey::Cc},         {"DATE", SortKey::Date},
        {"FROM", SortKey::From},       {"SIZE", SortKey::Size},     {"SUBJECT", SortKey::Subject},
        {"TO", SortKey::To},           {"DISPLAYFROM", SortKey::DisplayFrom},
        {"DISPLAYTO", SortKey::DisplayTo},
    };
    for (const Named& n : kNames)
        if (n.name == name) return n.key;
    return std::nullopt;
}

unsigned sort_key_parts(const std::vector<SortCriterion>& criteria) {
    unsigned parts = 0;
    for (const SortCriterion& c : criteria) {
        switch (c.key) {
        case SortKey::Arrival: case SortKey::Size: break;
        case SortKey::Date: parts |= kSortSent; break;
        case SortKey::Subject: parts |= kSortSubject; break;
        case SortKey::Cc: case SortKey::From: case SortKey::To:
        case SortKey::DisplayFrom: case SortKey::DisplayTo: parts |= kSortAddresses; break;
        }
    }
    return parts;
}

int compare_by(SortKey key, const SortItem& a, const SortItem& b) {
    switch (key) {
    case SortKey::Arrival: return three_way(a.info->internal_date, b.info->internal_date);
    case SortKey::Size: return three_way(a.info->size, b.info->size);
    case SortKey::Date: return three_way(a.keys->sent, b.keys->sent);
    case SortKey::Cc: return a.keys->cc.compare(b.keys->cc);
    case SortKey::From: return a.keys->from.compare(b.keys->from);
    case SortKey::To: return a.keys->to.compare(b.keys->to);
    case SortKey::Subject: return a.keys->subject.compare(b.keys->subject);
    case SortKey::DisplayFrom: return a.keys->display_from.compare(b.keys->display_from);
    case SortKey::DisplayTo: return a.keys->display_to.compare(b.keys->display_to);
    }
    return 0;
}

std::vector<size_t> sort_messages(std::vector<SortItem> items, const std::vector<SortCriterion>& criteria) {
    std::sort(items.begin(), items.end(), [&](const SortItem& a, const SortItem& b) {
        for (const SortCriterion& c : criteria) {
            int r = compare_by(c.key, a, b);
            if (r != 0) return c.reverse ? r > 0 : r < 0;
        }
        return a.index < b.index;
    });
    std::vector<size_t> out;
    out.reserve(items.size());
    for (const SortItem& item : items) out.push_back(item.index);
    return out;
}

}  // namespace mail
