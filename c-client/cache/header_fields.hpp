// The header fields SEARCH and SORT read (kCachedHeaderNames), from the
// mailbox's cache of parsed data when it knows them, else read from the
// message and added to the cache. SEARCH's header keys and SORT's and
// THREAD's key extraction both come through here, so a new session's SORT
// or SEARCH SUBJECT over a mailbox whose cache is warm reads no message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cache/message_cache.hpp"
#include "mailbox/mailbox.hpp"

namespace mail {

// Whether the field `name` is among the cached ones (case-insensitive).
bool is_cached_header_name(std::string_view name);

// The cached fields of message `index` as select_cached_header_fields()
// gives them ("Name: value CRLF", the value as searchable_header_value()
// unfolds it; every occurrence, header order).
// With no cache, or on a miss, the header is read (and, with a cache, the
// fields are added to it, with the sent date, as FETCH ENVELOPE adds them).
// MailError from the mailbox passes through (NotFound: removed under us).
std::string cached_header_fields(Mailbox& mailbox, size_t index, MessageCache* cache);

// The UTC sent date (the first Date: field) of message `index`, or
// kNoSentDate when it has none or an unparsable one: the cache's sent date
// when it has it, else through cached_header_fields() (the one miss path).
int64_t cached_sent_date(Mailbox& mailbox, size_t index, MessageCache* cache);

// The sent date of a header block (or of cached header fields) as
// cached_sent_date() gives it.
int64_t sent_date_of(std::string_view header);

}  // namespace mail
