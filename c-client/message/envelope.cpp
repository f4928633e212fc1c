// ENVELOPE as RFC 3501 7.4.2 defines it, matched against Dovecot 2.3:
// - date, in-reply-to, message-id: the unfolded raw value (line breaks
//   removed, leading whitespace skipped, trailing whitespace kept; see
//   raw_value_of for Dovecot's whitespace-only values);
// - subject: the raw bytes (not RFC 2047-decoded), whitespace collapsed;
// - the same field twice: the last one counts, except address fields,
//   whose lists are concatenated;
// - sender and reply-to default to from when absent or empty;
// - a field that is absent is NIL; an empty subject is "", an empty
//   address list NIL;
// - a subject or display name that had to be changed for display
//   (whitespace collapsed) or that holds '"', '\\' or 8-bit bytes is sent as
//   a literal, any other as a quoted string whatever its length: the same
//   encoding as Dovecot's, so that answers compare byte for byte.
#include "message/envelope.hpp"

#include <optional>
#include <vector>

#include "message/address.hpp"
#include "message/header.hpp"
#include "util/imap_string.hpp"

namespace mail {

namespace {

// A subject or display name as Dovecot writes it ("string for humans").
struct HumanString {
    std::string text;       // whitespace collapsed
    bool changed = false;  // differs from the raw value
};

struct EnvelopeFields {
    std::optional<std::string> date, in_reply_to, message_id;
    std::optional<HumanString> subject;
    std::vector<Address> from, sender, reply_to, to, cc, bcc;
};

// The value of date, in-reply-to and message-id as Dovecot gives it: line
// breaks removed and leading whitespace skipped, except that when the first
// line holds only whitespace, only one whitespace character is skipped.
std::string raw_value_of(std::string_view raw) {
    std::string_view first_line = raw.substr(0, raw.find_first_of("\r\n"));
    if (first_line.find_first_not_of(" \t") != std::string_view::npos) return unfold_header_value(raw);
    if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    std::string out;
    for (char c : raw)
        if (c != '\r' && c != '\n') out += c;
    return out;
}

HumanString subject_of(std::string_view raw) {
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    HumanString h{collapse_whitespace(raw), false};
    h.changed = h.text != raw;
    return h;
}

void append_human_string(std::string& out, const HumanString& h) {
    bool literal = h.changed;
    for (unsigned char c : h.text) literal = literal || c == '"' || c == '\\' || c >= 0x80;
    if (h.text.empty()) {
        out += "\"\"";
    } else if (literal) {
        out += '{';
        out += std::to_string(h.text.size());
        out += "}\r\n";
        out += h.text;
    } else {
        out += '"';
        out += h.text;
        out += '"';
    }
}

EnvelopeFields collect(std::string_view header) {
    EnvelopeFields e;
    HeaderParser parser(header);
    while (auto f = parser.next()) {
        auto is = [&](std::string_view n) { return header_name_equals(f->name, n); };
        auto add = [&](std::vector<Address>& list) {
            for (Address& a : parse_address_list(f->unfolded())) list.push_back(std::move(a));
        };
        if (is("date")) e.date = raw_value_of(f->raw_value);
        else if (is("subject")) e.subject = subject_of(f->raw_value);
        else if (is("in-reply-to")) e.in_reply_to = raw_value_of(f->raw_value);
        else if (is("message-id")) e.message_id = raw_value_of(f->raw_value);
        else if (is("from")) add(e.from);
        else if (is("sender")) add(e.sender);
        else if (is("reply-to")) add(e.reply_to);
        else if (is("to")) add(e.to);
        else if (is("cc")) add(e.cc);
        else if (is("bcc")) add(e.bcc);
    }
    if (e.sender.empty()) e.sender = e.from;
    if (e.reply_to.empty()) e.reply_to = e.from;
    return e;
}

void append_address_list(std::string& out, const std::vector<Address>& list) {
    if (list.empty()) {
        out += "NIL";
        return;
    }
    out += '(';
    for (const Address& a : list) {
        out += '(';
        if (a.name) {
            HumanString h{collapse_whitespace(*a.name), false};
            h.changed = h.text != *a.name;
            append_human_string(out, h);
        }
        else out += "NIL";
        out += ' ';
        append_nstring(out, a.adl);
        out += ' ';
        append_nstring(out, a.mailbox);
        out += ' ';
        append_nstring(out, a.host);
        out += ')';
    }
    out += ')';
}

}  // namespace

std::string imap_envelope(std::string_view header) {
    EnvelopeFields e = collect(header);
    std::string out = "(";
    append_nstring(out, e.date);
    out += ' ';
    if (e.subject) append_human_string(out, *e.subject);
    else out += "NIL";
    for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
        out += ' ';
        append_address_list(out, *list);
    }
    out += ' ';
    append_nstring(out, e.in_reply_to);
    out += ' ';
    append_nstring(out, e.message_id);
    out += ')';
    return out;
}

}  // namespace mail
