#include "mime/section.hpp"

#include <strings.h>

namespace mail {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// "(A B C)" into its names; false when malformed.
bool parse_field_list(std::string_view s, std::vector<std::string>& out) {
    if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
    s = s.substr(1, s.size() - 2);
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ') {
            ++i;
            continue;
        }
        std::string name;
        if (s[i] == '"') {
            ++i;
            while (i < s.size() && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                name += s[i++];
            }
            if (i >= s.size()) return false;
            ++i;
        } else {
            while (i < s.size() && s[i] != ' ') name += s[i++];
        }
        out.push_back(std::move(name));
    }
    return !out.empty();
}

SectionRange whole(const DualRange& r) {
    SectionRange out;
    out.stored_offset = r.stored_offset;
    out.stored_length = r.stored_length;
    out.imap_length = r.imap_length;
    return out;
}

// A message's header and body together.
SectionRange message_range(const MimePart& m) {
    SectionRange out;
    out.stored_offset = m.header.stored_offset;
    out.stored_length = m.header.stored_length + m.body.stored_length;
    out.imap_length = m.header.imap_length + m.body.imap_length;
    return out;
}

}  // namespace

std::optional<SectionSpec> parse_section(std::string_view s) {
    SectionSpec spec;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
        unsigned n = 0;
        size_t i = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (n > 100000) return std::nullopt;
            n = n * 10 + static_cast<unsigned>(s[i++] - '0');
        }
        if (n == 0) return std::nullopt;
        spec.path.push_back(n);
        s.remove_prefix(i);
        if (s.empty()) return spec;
        if (s[0] != '.') return std::nullopt;
        s.remove_prefix(1);
        if (s.empty()) return std::nullopt;
    }
    if (s.empty()) return spec;
    if (starts_with_nocase(s, "HEADER.FIELDS.NOT ")) {
        spec.text = SectionText::HeaderFieldsNot;
        if (!parse_field_list(s.substr(18), spec.fields)) return std::nullopt;
    } else if (starts_with_nocase(s, "HEADER.FIELDS ")) {
        spec.text = SectionText::HeaderFields;
        if (!parse_field_list(s.substr(14), spec.fields)) return std::nullopt;
    } else if (s.size() == 6 && starts_with_nocase(s, "HEADER")) {
        spec.text = SectionText::Header;
    } else if (s.size() == 4 && starts_with_nocase(s, "TEXT")) {
        spec.text = SectionText::Text;
    } else if (s.size() == 4 && starts_with_nocase(s, "MIME") && !spec.path.empty()) {
        spec.text = SectionText::Mime;
    } else {
        return std::nullopt;
    }
    return spec;
}

const MimePart* find_part(const MimePart& top, const std::vector<unsigned>& path) {
    const MimePart* node = &top;  // whose children the next number picks
    const MimePart* part = nullptr;
    for (size_t i = 0; i < path.size(); ++i) {
        const unsigned n = path[i];
        const bool last = i + 1 == path.size();
        if (node->is_multipart()) {
            if (n < 1 || n > node->children.size()) return nullptr;
            part = &node->children[n - 1];
        } else if (n == 1 && (last || (node->is_message_rfc822() && node->message))) {
            part = node;  // a message's body, or a leaf part itself
        } else {
            return nullptr;
        }
        node = part->is_message_rfc822() && part->message ? part->message.get() : part;
    }
    return part;
}

std::optional<SectionRange> resolve_section(const MimePart& top, const SectionSpec& spec) {
    const MimePart* part = nullptr;
    if (!spec.path.empty()) {
        part = find_part(top, spec.path);
        if (!part) return std::nullopt;
    }
    if (!part) {
        // The message itself.
        switch (spec.text) {
        case SectionText::Whole: return message_range(top);
        case SectionText::Text: return whole(top.body);
        case SectionText::Mime: return std::nullopt;
        default: break;
        }
    }
    const MimePart* message = !part ? &top : (part->is_message_rfc822() && part->message ? part->message.get() : nullptr);
    SectionRange out;
    switch (spec.text) {
    case SectionText::Whole: return whole(part->body);
    case SectionText::Mime: return whole(part->header);
    case SectionText::Text:
        if (message) return whole(message->body);
        out.stored_offset = part->body.stored_offset;
        return out;  // empty, as Dovecot answers
    case SectionText::Header:
    case SectionText::HeaderFields:
    case SectionText::HeaderFieldsNot:
        if (message) out = whole(message->header);
        else out.stored_offset = part->header.stored_offset;  // empty
        if (spec.text != SectionText::Header) {
            out.filter = true;
            out.exclude = spec.text == SectionText::HeaderFieldsNot;
            out.fields = spec.fields;
        }
        return out;
    }
    return std::nullopt;
}

}  // namespace mail
