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
    const MessageKey key{info.uid, info.size, info.internal_date};
    if (cache) {
        CachedFields known = cache->fields(key);
        if (known.header_fields) return std::move(*known.header_fields);
    }
    // The one miss path: parse the header, keep what the cache keeps.
    std::string header = read_header(mailbox.content(index));
    CachedFields computed;
    computed.header_fields = select_cached_header_fields(header);
    if (cache) {
        auto date = find_header_field(header, "Date");
        auto sent = date ? parse_rfc5322_date(date->unfolded()) : std::nullopt;
        computed.sent_date = sent ? sent->utc : kNoSentDate;
        cache->add_fields(key, computed);
    }
    return std::move(*computed.header_fields);
}

}  // namespace mail
