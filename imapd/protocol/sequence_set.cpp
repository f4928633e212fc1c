#include "imapd/protocol/sequence_set.hpp"

#include <algorithm>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

// seq-number = nz-number / "*"
uint32_t parse_seq_number(std::string_view text, size_t& pos) {
    if (pos < text.size() && text[pos] == '*') {
        ++pos;
        return SequenceSet::kStar;
    }
    if (pos >= text.size() || text[pos] < '1' || text[pos] > '9')
        throw ParseError("Invalid sequence set: expected a number or *");
    uint64_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        n = n * 10 + static_cast<uint64_t>(text[pos++] - '0');
        if (n > UINT32_MAX) throw ParseError("Invalid sequence set: number too large");
    }
    // 4294967295 is a valid nz-number but is kStar here. No message can have
    // it as UID (UIDNEXT would not fit in 32 bits) or as sequence number, so
    // 4294967294 selects the same messages (as Dovecot does).
    if (n == SequenceSet::kStar) --n;
    return static_cast<uint32_t>(n);
}

}  // namespace

SequenceSet SequenceSet::parse(std::string_view text) {
    if (text == "$") return saved();
    SequenceSet set;
    size_t pos = 0;
    for (;;) {
        uint32_t a = parse_seq_number(text, pos);
        uint32_t b = a;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            b = parse_seq_number(text, pos);
        }
        set.add(a, b);
        if (pos == text.size()) break;
        if (text[pos] != ',') throw ParseError("Invalid sequence set: unexpected character");
        ++pos;
    }
    return set;
}

SequenceSet SequenceSet::saved() {
    SequenceSet set;
    set.saved_ = true;
    return set;
}

void SequenceSet::add(uint32_t a, uint32_t b) {
    if (a > b) std::swap(a, b);
    ranges_.push_back({a, b});
}

SequenceSet SequenceSet::resolve(uint32_t star) const {
    SequenceSet out;
    for (Range r : ranges_) {
        if (star == 0 && (r.first == kStar || r.last == kStar)) continue;  // empty mailbox
        if (r.first == kStar) r.first = star;
        if (r.last == kStar) r.last = star;
        if (r.first > r.last) std::swap(r.first, r.last);
        out.ranges_.push_back(r);
    }
    std::sort(out.ranges_.begin(), out.ranges_.end(),
              [](const Range& x, const Range& y) { return x.first < y.first; });
    std::vector<Range> merged;
    for (const Range& r : out.ranges_) {
        if (!merged.empty() && static_cast<uint64_t>(merged.back().last) + 1 >= r.first)
            merged.back().last = std::max(merged.back().last, r.last);
        else
            merged.push_back(r);
    }
    out.ranges_ = std::move(merged);
    return out;
}

bool SequenceSet::contains(uint32_t n) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), n,
                               [](uint32_t v, const Range& r) { return v < r.first; });
    if (it == ranges_.begin()) return false;
    --it;
    return n >= it->first && n <= it->last;
}

uint32_t SequenceSet::last() const {
    uint32_t m = 0;
    for (const Range& r : ranges_) m = std::max(m, r.last);
    return m;
}

uint64_t SequenceSet::size() const {
    uint64_t n = 0;
    for (const Range& r : ranges_) n += static_cast<uint64_t>(r.last) - r.first + 1;
    return n;
}

std::string SequenceSet::to_string() const {
    if (saved_) return "$";
    std::string out;
    auto num = [&](uint32_t n) { out += n == kStar ? std::string("*") : std::to_string(n); };
    for (const Range& r : ranges_) {
        if (!out.empty()) out += ',';
        num(r.first);
        if (r.last != r.first) {
            out += ':';
            num(r.last);
        }
    }
    return out;
}

}  // namespace mail::imapd
