#include "imapd/commands/fetch_body.hpp"

#include <algorithm>
#include <string>

#include "imapd/session/session.hpp"
#include "mime/section_reader.hpp"

namespace mail::imapd {

namespace {

void write_literal_head(Session& session, uint64_t length) {
    session.write("{" + std::to_string(length) + "}\r\n");
}

// The window <offset.length> of a section `total` bytes long.
void window(uint64_t total, const std::optional<Partial>& partial, uint64_t& start, uint64_t& length) {
    start = partial ? std::min<uint64_t>(partial->offset, total) : 0;
    length = total - start;
    if (partial) length = std::min<uint64_t>(length, partial->length);
}

// Writes literal bytes with NUL sent as 0x80, as Dovecot does: RFC 3501's
// literal is CHAR8, which excludes NUL (only BINARY's literal8 may hold it).
void write_literal_bytes(Session& session, std::string_view bytes) {
    if (bytes.find('\0') == std::string_view::npos) {
        session.write(bytes);
        return;
    }
    std::string copy(bytes);
    std::replace(copy.begin(), copy.end(), '\0', '\x80');
    session.write(copy);
}

void write_small_literal(Session& session, const std::string& all, const std::optional<Partial>& partial) {
    uint64_t start, length;
    window(all.size(), partial, start, length);
    write_literal_head(session, length);
    write_literal_bytes(session, std::string_view(all).substr(static_cast<size_t>(start), static_cast<size_t>(length)));
}

// The part a path names, or null for the message itself
// or a part that does not exist.
const MimePart* part_at(const MimePart& top, const std::vector<unsigned>& path) {
    return path.empty() ? nullptr : find_part(top, path);
}

// HEADER.FIELDS[.NOT]: the chosen fields and the blank line (RFC 3501
// 6.4.5); nothing at all for a part that is not a message (it has no
// header), as Dovecot answers.
std::string filtered_header(const MessageContent& content, const SectionRange& range, const MimePart* part) {
    if (part && !(part->is_message_rfc822() && part->message)) return {};
    SectionRange raw = range;
    raw.filter = false;
    raw.stored_length = std::min(raw.stored_length, kMaxFilteredHeader);
    std::string header = read_section(content, raw);
    return filter_header_fields(header, range.fields, range.exclude);
}

}  // namespace

mail::SectionSpec library_section(const SectionSpec& spec) {
    mail::SectionSpec out;
    out.path.assign(spec.part.begin(), spec.part.end());
    switch (spec.text) {
    case SectionSpec::Text::All: out.text = SectionText::Whole; break;
    case SectionSpec::Text::Header: out.text = SectionText::Header; break;
    case SectionSpec::Text::HeaderFields: out.text = SectionText::HeaderFields; break;
    case SectionSpec::Text::HeaderFieldsNot: out.text = SectionText::HeaderFieldsNot; break;
    case SectionSpec::Text::Text: out.text = SectionText::Text; break;
    case SectionSpec::Text::Mime: out.text = SectionText::Mime; break;
    }
    out.fields = spec.fields;
    return out;
}

void write_section_literal(Session& session, const MessageContent& content, const MimePart& top,
                           const SectionSpec& section, const std::optional<Partial>& partial) {
    mail::SectionSpec spec = library_section(section);
    std::optional<SectionRange> range = resolve_section(top, spec);
    if (!range) {
        write_literal_head(session, 0);
        return;
    }
    if (range->filter) {
        write_small_literal(session, filtered_header(content, *range, part_at(top, spec.path)), partial);
        return;
    }
    uint64_t start, length;
    window(range->imap_length, partial, start, length);
    write_literal_head(session, length);
    SectionReader reader(content, range->stored_offset, range->stored_length, start, length);
    uint64_t sent = 0;
    for (std::string_view chunk = reader.next(); !chunk.empty() && sent < length; chunk = reader.next()) {
        chunk = chunk.substr(0, static_cast<size_t>(std::min<uint64_t>(chunk.size(), length - sent)));
        write_literal_bytes(session, chunk);
        sent += chunk.size();
    }
    // The file shrank under us (another program rewrote it): the literal's
    // length is promised, so fill it to keep the protocol in step.
    static const std::string kPad(64 * 1024, ' ');
    while (sent < length) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kPad.size(), length - sent));
        session.write(std::string_view(kPad).substr(0, n));
        sent += n;
    }
}

}  // namespace mail::imapd
