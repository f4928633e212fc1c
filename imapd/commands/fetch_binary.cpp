#include "imapd/commands/fetch_binary.hpp"

#include <algorithm>
#include <string>

#include "imapd/session/session.hpp"
#include "mime/binary_section.hpp"
#include "util/error.hpp"

namespace mail::imapd {

namespace {

std::optional<BinarySection> find(const MimePart& top, const SectionSpec& section) {
    std::vector<unsigned> path(section.part.begin(), section.part.end());
    return resolve_binary_section(top, path);
}

}  // namespace

void check_binary_items(const MimePart& top, const std::vector<FetchItem>& items) {
    for (const FetchItem& item : items) {
        if (item.kind != FetchItem::Kind::BinarySection && item.kind != FetchItem::Kind::BinarySize) continue;
        auto section = find(top, item.section);
        if (section && !section->known_encoding)
            throw MailError(ErrorKind::Invalid, "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part " +
                                                    item.section.to_string());
    }
}

void write_binary_literal(Session& session, const MessageContent& content, const MimePart& top,
                          const SectionSpec& section, const std::optional<Partial>& partial) {
    auto found = find(top, section);
    if (!found) {  // an empty literal, as Dovecot answers
        session.write("{0}\r\n");
        return;
    }
    const uint64_t offset = partial ? partial->offset : 0;
    const uint64_t max_length = partial ? partial->length : UINT64_MAX;
    DecodedExtent extent = measure_decoded(content, *found, offset, max_length);
    const uint64_t start = std::min(offset, extent.size);
    const uint64_t length = std::min(extent.size - start, max_length);
    session.write((extent.nul_in_window ? "~{" : "{") + std::to_string(length) + "}\r\n");

    DecodedReader reader(content, *found);
    uint64_t at = 0, sent = 0;
    for (std::string_view chunk = reader.next(); !chunk.empty() && sent < length; chunk = reader.next()) {
        const uint64_t chunk_at = at;
        at += chunk.size();
        if (at <= start) continue;
        size_t from = static_cast<size_t>(std::max(chunk_at, start) - chunk_at);
        chunk = chunk.substr(from, static_cast<size_t>(std::min<uint64_t>(chunk.size() - from, length - sent)));
        // Without literal8 a NUL may not be sent (the file changed between
        // the passes): as in BODY[], 0x80 stands for it.
        if (!extent.nul_in_window && chunk.find('\0') != std::string_view::npos) {
            std::string copy(chunk);
            std::replace(copy.begin(), copy.end(), '\0', '\x80');
            session.write(copy);
        } else {
            session.write(chunk);
        }
        sent += chunk.size();
    }
    // The message changed between the passes: keep the promised length.
    static const std::string kPad(64 * 1024, ' ');
    while (sent < length) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kPad.size(), length - sent));
        session.write(std::string_view(kPad).substr(0, n));
        sent += n;
    }
}

uint64_t binary_size(const MessageContent& content, const MimePart& top, const SectionSpec& section) {
    auto found = find(top, section);
    return found ? measure_decoded(content, *found).size : 0;
}

}  // namespace mail::imapd
