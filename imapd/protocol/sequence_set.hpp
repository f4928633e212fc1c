// An IMAP sequence set (RFC 3501 sequence-set, RFC 5182 "$"): a value type of
// ranges over message sequence numbers or UIDs, where "*" stands for the
// largest number in use. Parsed sets keep "*" symbolic; resolve() replaces it
// with a message count or the largest UID and yields sorted, merged ranges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mail::imapd {

class SequenceSet {
public:
    static constexpr uint32_t kStar = UINT32_MAX;  // "*" before resolution

    struct Range {
        uint32_t first = 0;
        uint32_t last = 0;  // inclusive; kStar for "*"
        bool operator==(const Range&) const = default;
    };

    SequenceSet() = default;
    // Parses "1,3:5,7:*" (or "$"); throws ParseError.
    static SequenceSet parse(std::string_view text);
    // The RFC 5182 saved result "$": the session substitutes its saved set.
    static SequenceSet saved();

    bool is_saved() const { return saved_; }
    bool empty() const { return ranges_.empty(); }
    // Ranges, sorted and merged once resolved; as parsed (in order) otherwise.
    const std::vector<Range>& ranges() const { return ranges_; }

    // Adds the range a:b (either order; kStar allowed before resolution).
    void add(uint32_t a, uint32_t b);
    void add(uint32_t n) { add(n, n); }

    // A resolved copy: "*" becomes star (the message count or largest UID;
    // 0 for an empty mailbox), numbers are sorted and merged. For sequence
    // numbers, callers check that last() <= count before using the set.
    SequenceSet resolve(uint32_t star) const;

    // Membership in a resolved set (binary search).
    bool contains(uint32_t n) const;
    // The largest number in the set (0 if empty).
    uint32_t last() const;
    // How many numbers the (resolved) set holds.
    uint64_t size() const;

    // Calls f(n) for every number in order (resolved sets only).
    template <class F>
    void for_each(F&& f) const {
        for (const Range& r : ranges_)
            for (uint64_t n = r.first; n <= r.last; ++n) f(static_cast<uint32_t>(n));
    }

    // The IMAP text form, e.g. "1:3,7,9:*".
    std::string to_string() const;

    bool operator==(const SequenceSet&) const = default;

private:
    std::vector<Range> ranges_;
    bool saved_ = false;
};

}  // namespace mail::imapd
