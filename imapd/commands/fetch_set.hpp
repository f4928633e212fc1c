// The messages a FETCH, STORE (or any command taking a sequence set) names,
// as indexes into the selected mailbox.
#pragma once

#include <cstddef>
#include <vector>

#include "imapd/protocol/sequence_set.hpp"
#include "mailbox/mailbox.hpp"

namespace mail::imapd {

// The indexes, in ascending order, of the messages `set` names: sequence
// numbers, or UIDs when `uid` is set. A sequence number beyond the message
// count (or a "*" in an empty mailbox) is a ParseError "Invalid messageset",
// as Dovecot answers; UIDs that do not exist are ignored (RFC 3501 6.4.8).
// The saved set "$" (RFC 5182 SEARCHRES) names the messages of `saved`
// (the session's saved UIDs) still present; without `saved` it is a ParseError.
std::vector<size_t> message_indexes(const Mailbox& mailbox, const SequenceSet& set, bool uid,
                                    const std::vector<Uid>* saved = nullptr);

}  // namespace mail::imapd
