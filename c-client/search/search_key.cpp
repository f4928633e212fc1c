#include "search/search_key.hpp"

#include <algorithm>

namespace mail {

NumberSet NumberSet::resolve(uint32_t star) const {
    NumberSet out;
    for (Range r : ranges) {
        if (r.first == kStar) r.first = star;
        if (r.last == kStar) r.last = star;
        if (r.first > r.last) std::swap(r.first, r.last);
        out.ranges.push_back(r);
    }
    std::sort(out.ranges.begin(), out.ranges.end(),
              [](const Range& a, const Range& b) { return a.first < b.first; });
    std::vector<Range> merged;
    for (const Range& r : out.ranges) {
        if (!merged.empty() && uint64_t{merged.back().last} + 1 >= r.first)
            merged.back().last = std::max(merged.back().last, r.last);
        else
            merged.push_back(r);
    }
    out.ranges = std::move(merged);
    return out;
}

bool NumberSet::contains(uint32_t n) const {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                               [](uint32_t v, const Range& r) { return v < r.first; });
    return it != ranges.begin() && std::prev(it)->last >= n;
}

std::string NumberSet::to_string() const {
    if (saved) return "$";
    auto num = [](uint32_t n) { return n == kStar ? std::string("*") : std::to_string(n); };
    std::string s;
    for (const Range& r : ranges) {
        if (!s.empty()) s += ',';
        s += num(r.first);
        if (r.last != r.first) s += ':' + num(r.last);
    }
    return s;
}

}  // namespace mail
