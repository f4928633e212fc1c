#include "mime/bodystructure.hpp"

#include <strings.h>

#include "message/envelope.hpp"
#include "util/imap_string.hpp"

namespace mail {
namespace {

void append_params(std::string& out, const MimeParams& params, bool add_charset) {
    bool has_charset = false;
    for (const auto& [k, v] : params)
        if (strcasecmp(k.c_str(), "charset") == 0) has_charset = true;
    if (params.empty() && !add_charset) {
        out += "NIL";
        return;
    }
    out += '(';
    bool first = true;
    for (const auto& [k, v] : params) {
        if (!first) out += ' ';
        first = false;
        append_imap_string(out, k);
        out += ' ';
        append_imap_string(out, v);
    }
    if (add_charset && !has_charset) {
        if (!first) out += ' ';
        out += "\"charset\" \"us-ascii\"";
    }
    out += ')';
}

void append_extension(std::string& out, const MimePart& p) {
    out += ' ';
    if (p.disposition) {
        out += '(';
        append_imap_string(out, p.disposition->type);
        out += ' ';
        append_params(out, p.disposition->params, false);
        out += ')';
    } else {
        out += "NIL";
    }
    out += ' ';
    if (p.language.empty()) {
        out += "NIL";
    } else {
        out += '(';
        for (size_t i = 0; i < p.language.size(); ++i) {
            if (i) out += ' ';
            append_imap_string(out, p.language[i]);
        }
        out += ')';
    }
    out += ' ';
    append_nstring(out, p.location);
}

const MimePart& empty_text_part() {
    static const MimePart part = [] {
        MimePart p;
        p.type = "text";
        p.subtype = "plain";
        return p;
    }();
    return part;
}

}  // namespace

void append_body_structure(std::string& out, const MimePart& p, bool extensible) {
    out += '(';
    if (p.is_multipart()) {
        for (const auto& child : p.children) append_body_structure(out, child, extensible);
        if (p.children.empty()) append_body_structure(out, empty_text_part(), extensible);
        out += ' ';
        append_imap_string(out, p.subtype);
        if (extensible) {
            out += ' ';
            append_params(out, p.params, false);
            append_extension(out, p);
        }
        out += ')';
        return;
    }
    bool message = p.is_message_rfc822();
    if (message) {
        out += "\"message\" \"rfc822\"";
    } else {
        append_imap_string(out, p.type);
        out += ' ';
        append_imap_string(out, p.subtype);
    }
    out += ' ';
    append_params(out, p.params, p.is_text());
    out += ' ';
    append_nstring(out, p.id);
    out += ' ';
    append_nstring(out, p.description);
    out += ' ';
    append_imap_string(out, p.encoding ? *p.encoding : std::string("7bit"));
    out += ' ';
    out += std::to_string(p.body.imap_length);
    if (message) {
        out += ' ';
        if (p.message) {
            out += p.envelope;
            out += ' ';
            append_body_structure(out, *p.message, extensible);
        } else {
            // Nested too deep to be parsed: shown as an empty message.
            out += imap_envelope("");
            out += ' ';
            append_body_structure(out, empty_text_part(), extensible);
        }
    }
    if (message || p.is_text()) {
        out += ' ';
        out += std::to_string(p.body_lines);
    }
    if (extensible) {
        out += ' ';
        append_nstring(out, p.md5);
        append_extension(out, p);
    }
    out += ')';
}

std::string body_structure(const MimePart& top, bool extensible) {
    std::string out;
    append_body_structure(out, top, extensible);
    return out;
}

}  // namespace mail
