// SEARCH's criteria as a tree (RFC 3501 6.4.4; RFC 5032 OLDER/YOUNGER;
// RFC 7162 MODSEQ): built by imapd's parser, run by mail::search().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mail {

// A set of message numbers (sequence numbers or UIDs) as the client wrote
// it: ranges in any order, kStar for "*", or RFC 5182's saved result "$".
struct NumberSet {
    static constexpr uint32_t kStar = UINT32_MAX;
    struct Range {
        uint32_t first = 0;
        uint32_t last = 0;  // inclusive; either end may be kStar
        bool operator==(const Range&) const = default;
    };
    std::vector<Range> ranges;
    bool saved = false;  // "$"

    // "*" replaced by `star`, ends ordered, sorted and merged.
    NumberSet resolve(uint32_t star) const;
    // Membership in a resolved set (binary search).
    bool contains(uint32_t n) const;
    // The IMAP text form, e.g. "1:3,7,9:*" (or "$").
    std::string to_string() const;
    bool operator==(const NumberSet&) const = default;
};

struct SearchKey {
    enum class Kind {
        And, Or, Not,  // children: any number, two, one
        All, Answered, Deleted, Draft, Flagged, New, Old, Recent, Seen,
        Unanswered, Undeleted, Undraft, Unflagged, Unseen,
        Keyword, Unkeyword,                      // value: the keyword
        Bcc, Body, Cc, From, Subject, Text, To,  // value: the string, bytes as sent
        Header,                                  // field (upper case) and value
        Before, On, Since, SentBefore, SentOn, SentSince,  // date: days since the epoch
        Larger, Smaller,                         // number: a size
        Older, Younger,                          // number: seconds
        ModSeq,                                  // number: a mod-sequence
        SequenceSet, Uid,                        // set
    };
    Kind kind = Kind::All;
    std::string field;
    std::string value;
    uint64_t number = 0;
    int64_t date = 0;
    NumberSet set;
    std::vector<SearchKey> children;
};

}  // namespace mail
