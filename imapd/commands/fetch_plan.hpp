// The order and needs of a FETCH's data items, decided once per command.
#pragma once

#include <cstddef>
#include <vector>

#include "imapd/protocol/fetch_request.hpp"

namespace mail::imapd {

struct FetchPlan {
    // The items in the order they are answered: as Dovecot answers them, the
    // small items (UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ) first in
    // the client's order, then the others in the client's order; UID first
    // of all for UID FETCH; repeated simple items once, sections as asked.
    std::vector<FetchItem> items;
    // Where an unasked FLAGS goes when the fetch sets \Seen (RFC 3501 6.4.5):
    // after the small items.
    size_t implicit_flags_at = 0;
    bool has_flags = false;
    bool sets_seen = false;        // some item sets \Seen
    bool needs_content = false;    // some item reads the message
    bool needs_structure = false;  // some item needs the MIME parse
    bool needs_envelope = false;       // from the cache, or read from the header
    bool needs_bodystructure = false;  // BODY or BODYSTRUCTURE: from the cache, or parsed
};

FetchPlan plan_fetch(const std::vector<FetchItem>& requested, bool uid_command);

}  // namespace mail::imapd
