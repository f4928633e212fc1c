#include "cache/header_fields.hpp"

#include "message/date.hpp"
#include "message/header.hpp"
#include "search/message_text.hpp"

namespace mail {

bool is_cached_header_name(std::string_view name) {
    for (std::string_view cached : kCachedHeaderNames)
        if (header_name_equals(name, cached)) return true;
    return false;
}

std::string cached_header_fields(Mailbox& mailbox, size_t index, MessageCache* cache) {
    const MessageInfo& info = mailbox.at(index);
    const MessageKey key{info.uid, info.size, mailbox.cache_key_date(index)};
    if (cache) {
        CachedFields known = cache->fields(key, kCacheHeaderFields);
        if (known.header_fields) return std::move(*known.header_fields);
    }
    // The one miss path: parse the header, keep what the cache keeps.
    std::string header = read_header(mailbox.content(index));
    CachedFields computed;
    computed.header_fields = select_cached_header_fields(header);
    if (cache) {
        computed.sent_date = sent_date_of(header);
        cache->add_fields(key, computed);
    }
    return std::move(*computed.header_fields);
}

int64_t sent_date_of(std::string_view header) {
    auto date = find_header_field(header, "Date");
    auto sent = date ? parse_rfc5322_date(date->unfolded()) : std::nullopt;
    return sent ? sent->utc : kNoSentDate;
}

int64_t cached_sent_date(Mailbox& mailbox, size_t index, MessageCache* cache) {
    if (cache) {
        const MessageInfo& info = mailbox.at(index);
        CachedFields known = cache->fields(MessageKey{info.uid, info.size, mailbox.cache_key_date(index)}, kCacheSentDate);
        if (known.sent_date) return *known.sent_date;
    }
    return sent_date_of(cached_header_fields(mailbox, index, cache));
}

}  // namespace mail
