// What SORT (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO) and THREAD need of a
// message, extracted from its header once and kept per UID, so that sorting
// or threading a large mailbox reads and parses each header at most once
// per session.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/message_cache.hpp"
#include "mailbox/mailbox.hpp"

namespace mail {

// The groups of keys SortKeys holds, as a mask: a SORT computes only the
// groups its criteria compare (SORT (DATE) needs no address parsing and no
// Unicode case mapping; its date comes from the cache's parsed sent date).
enum SortKeyPart : unsigned {
    kSortSent = 1,       // sent
    kSortSubject = 2,    // subject, reply_or_forward
    kSortAddresses = 4,  // from, to, cc, display_from, display_to
    kSortThreadIds = 8,  // message_id, references
    kSortAllParts = 15,
};

struct SortKeys {
    unsigned parts = 0;  // SortKeyPart groups computed
    int64_t sent = 0;  // Date: in UTC; the internal date when missing or unparsable
    // Comparison forms (unicode_casemap); "" when the field is missing.
    std::string subject;       // base subject (RFC 5256 2.1)
    bool reply_or_forward = false;
    std::string from, to, cc;  // mailbox (local part) of the first address
    std::string display_from, display_to;  // RFC 5957 display names
    // Threading (RFC 5256 REFERENCES): ids without the angle brackets.
    std::string message_id;
    std::vector<std::string> references;  // References:, else In-Reply-To:'s first id
};

// RFC 5051 i;unicode-casemap's canonical form, as SORT compares strings
// (Dovecot does too): every character titlecased, then NFKD decomposed, so
// that "Ñandú" sorts as "N\u0303andu\u0301" between "Numbers" and "Office".
// Invalid UTF-8 is replaced by U+FFFD first; at most 1 KB is looked at.
std::string unicode_casemap(std::string_view text);

// The sort keys of a message whose header block is `header`; `info` gives
// the internal date used when the Date: field is missing or unparsable.
// Only the groups in `parts` are computed (and set in SortKeys::parts).
SortKeys extract_sort_keys(std::string_view header, const MessageInfo& info, unsigned parts = kSortAllParts);

// The msg-ids ("<...>") in a References: or In-Reply-To: value, in order,
// without brackets and with whitespace removed; text that is not a msg-id
// is skipped.
std::vector<std::string> parse_msg_ids(std::string_view value);

// SortKeys of one open mailbox by UID, filled on demand: a message's header
// is read once, whatever number of SORT and THREAD commands follow, and not
// at all when the mailbox's cache of parsed data has its header fields.
class SortKeyCache {
public:
    // The keys of messages `indexes` of `mailbox`, in the same order, from
    // the header fields in `cache` (cache/header_fields.hpp; null: read every
    // header). A message removed by another program since the last sync gets
    // keys from its MessageInfo alone. Only the groups in `parts` are
    // guaranteed to be set; groups computed once stay for later commands.
    std::vector<const SortKeys*> keys(Mailbox& mailbox, const std::vector<size_t>& indexes,
                                      MessageCache* cache = nullptr, unsigned parts = kSortAllParts);
    void clear() { by_uid_.clear(); }
    size_t size() const { return by_uid_.size(); }

private:
    std::unordered_map<Uid, SortKeys> by_uid_;
};

}  // namespace mail
