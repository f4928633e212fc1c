// Running a SEARCH program over an open mailbox. Format-independent: it
// needs only the Mailbox interface. Cheap keys (flags, sizes, UIDs, sequence
// numbers, internal dates) are decided from the index; a message's header is
// read only when a key still needs it (once, for all header keys; from the
// cache when every header key names a cached field and there is no TEXT), and its
// body is streamed only when BODY or TEXT still decide the outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "cache/message_cache.hpp"
#include "mailbox/mailbox.hpp"
#include "search/search_key.hpp"

namespace mail {

struct SearchOptions {
    int64_t now = 0;                    // for OLDER/YOUNGER; 0: the current time
    const std::vector<Uid>* saved = nullptr;  // RFC 5182 "$"; null: empty
    // RFC 7162 MODSEQ: a message's mod-sequence; empty: MODSEQ is an error.
    std::function<uint64_t(Uid)> modseq;
    // The mailbox's cache of parsed data: header keys on cached fields
    // (cache/header_fields.hpp) and SENT* read it instead of the message.
    MessageCache* cache = nullptr;
};

// Whether SEARCH CHARSET `name` is accepted (UTF-8 and US-ASCII).
bool search_charset_supported(std::string_view name);

// The 0-based indexes of the messages that match `key`, ascending. Throws
// MailError(Invalid) for a key it cannot evaluate (MODSEQ) or a search
// string that is not UTF-8; MailError from the mailbox passes through,
// except NotFound for a message removed under us, which simply does not match.
std::vector<size_t> search(Mailbox& mailbox, const SearchKey& key, const SearchOptions& options = {});

}  // namespace mail
