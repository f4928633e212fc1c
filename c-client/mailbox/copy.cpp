#include "mailbox/copy.hpp"

#include <string_view>
#include <vector>

namespace mail {

AppendRequest copy_request(Mailbox& from, size_t index) {
    const MessageInfo& m = from.dated(index);
    AppendRequest req;
    req.flags = m.flags & kStorableFlags;
    for (size_t b = 0; b < from.keywords().size() && b < kMaxKeywords; ++b)
        if (m.keywords & (KeywordMask{1} << b)) req.keywords.push_back(from.keywords()[b]);
    req.internal_date = m.internal_date;
    req.zone_minutes = m.zone_minutes;
    req.size_hint = m.size;
    return req;
}

void copy_content(Mailbox& from, size_t index, AppendSink& to) {
    MessageContent content = from.content(index);
    std::vector<char> buf(64 * 1024);
    uint64_t off = 0;
    while (size_t n = content.read(off, buf.data(), buf.size())) {
        to.write(std::string_view(buf.data(), n));
        off += n;
    }
}

}  // namespace mail
