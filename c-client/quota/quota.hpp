// RFC 9208 quota: one quota root ("") per user covering all the user's
// mailboxes, with the limits of the configuration (quota_storage,
// quota_messages; StoreSettings). Usage is computed from names and file
// sizes, never by reading messages: maildir S= sizes (stat when a name has
// none) and the number of files in cur/ and new/; mbx and unix file sizes.
// Only an mbx or unix message count needs the mailbox opened (read-only),
// and only when a message limit is configured.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mailbox/store.hpp"

namespace mail {

struct QuotaUsage {
    uint64_t bytes = 0;
    uint64_t messages = 0;
};

// The S= size in a maildir file name ("1700.M1P2.host,S=1234,W=1260:2,S"),
// or nullopt when the name has none.
std::optional<uint64_t> maildir_name_size(std::string_view name);

// The usage of every selectable mailbox of the store (INBOX included).
// Messages are counted only when count_messages.
QuotaUsage store_usage(const Store& store, bool count_messages);

// Throws MailError(NoSpace, "[OVERQUOTA] ...") when adding add_bytes and
// add_messages to used would pass a configured limit. Pure.
void check_quota(const StoreSettings& limits, const QuotaUsage& used, uint64_t add_bytes, uint64_t add_messages);

// Whether any limit is configured (otherwise nothing need be computed).
inline bool quota_limited(const StoreSettings& s) { return s.quota_storage != 0 || s.quota_messages != 0; }

// check_quota against the store's current usage; does nothing (and
// computes nothing) when no limit is configured.
void check_store_quota(const Store& store, uint64_t add_bytes, uint64_t add_messages);

}  // namespace mail
