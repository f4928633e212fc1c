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

void write_small_literal(Session& session, const std::string& all, const std::optional<Partial>& partial) {
    uint64_t start, length;
    window(all.size(), partial, start, length);
    write_literal_head(session, length);
    session.write(std::string_view(all).substr(static_cast<size_t>(start), static_cast<size_t>(length)));
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
    std::optional<SectionRange> range = resolve_section(top, library_section(section));
    if (!range) {
        write_literal_head(session, 0);
        return;
    }
    if (range->filter) {
        SectionRange bounded = *range;
        bounded.stored_length = std::min(bounded.stored_length, kMaxFilteredHeader);
        write_small_literal(session, read_section(content, bounded), partial);
        return;
    }
    uint64_t start, length;
    window(range->imap_length, partial, start, length);
    write_literal_head(session, length);
    SectionReader reader(content, range->stored_offset, range->stored_length, start, length);
    uint64_t sent = 0;
    for (std::string_view chunk = reader.next(); !chunk.empty() && sent < length; chunk = reader.next()) {
        chunk = chunk.substr(0, static_cast<size_t>(std::min<uint64_t>(chunk.size(), length - sent)));
        session.write(chunk);
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
