#include "mime/parser.hpp"

#include <cstring>
#include <strings.h>

#include "message/envelope.hpp"

namespace mail {
namespace {

// Bytes of a body line kept for recognising a boundary (RFC 2046 allows 70;
// real mail sometimes has longer ones).
constexpr size_t kBoundaryLineCap = 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool MimePart::is_multipart() const { return iequals(type, "multipart"); }
bool MimePart::is_message_rfc822() const { return iequals(type, "message") && iequals(subtype, "rfc822"); }
bool MimePart::is_text() const { return iequals(type, "text"); }

struct MimeParser::Line {
    std::string_view content;  // without the line break; may be cut at line_cap()
    uint64_t stored_start, imap_start, stored_end, imap_end;
    uint64_t lf_before;  // LFs before the line
    unsigned nl;         // 0 (end of message), 1 (LF) or 2 (CRLF)
    bool blank;
};

struct MimeParser::Frame {
    MimePart part;
    bool in_header = true;
    bool embedded = false;      // the top part of a message/rfc822 part's message
    bool digest_child = false;  // default Content-Type message/rfc822
    bool multipart_open = false;  // a multipart whose boundary still matches
    std::string boundary;         // "--" + the boundary parameter
    std::string field;            // the header field being read
    std::string raw_header;       // for ENVELOPE (embedded messages only)
    std::vector<std::string> fields;  // the MIME fields read so far
    uint64_t body_lf_start = 0;
    unsigned depth = 0;
};

MimeParser::MimeParser(MimeLimits limits) : limits_(limits) {
    push_frame(0, 0, false, false);
}

MimeParser::~MimeParser() = default;

size_t MimeParser::line_cap() const {
    return stack_.back().in_header ? limits_.max_field : kBoundaryLineCap;
}

void MimeParser::push_frame(uint64_t stored, uint64_t imap, bool embedded, bool digest_child) {
    Frame f;
    f.part.header.stored_offset = stored;
    f.part.header.imap_offset = imap;
    f.embedded = embedded;
    f.digest_child = digest_child;
    f.depth = stack_.empty() ? 0 : stack_.back().depth + 1;
    stack_.push_back(std::move(f));
    if (++parts_ >= limits_.max_parts) boundaries_enabled_ = false;
}

void MimeParser::feed(std::string_view chunk) {
    while (!chunk.empty()) {
        const void* lf = std::memchr(chunk.data(), '\n', chunk.size());
        size_t take = lf ? static_cast<size_t>(static_cast<const char*>(lf) - chunk.data()) + 1 : chunk.size();
        size_t cap = line_cap();
        if (line_.size() < cap) line_.append(chunk.data(), std::min(take, cap - line_.size()));
        char before_lf = take >= 2 ? chunk[take - 2] : last_byte_;
        last_byte_ = chunk[take - 1];
        line_len_ += take;
        chunk.remove_prefix(take);
        if (!lf) continue;

        unsigned nl = line_len_ >= 2 && before_lf == '\r' ? 2 : 1;
        Line line;
        std::string_view content = line_;
        if (content.size() == line_len_) content.remove_suffix(nl);
        line.content = content;
        line.stored_start = stored_pos_;
        line.imap_start = imap_pos_;
        line.stored_end = stored_pos_ + line_len_;
        line.imap_end = imap_pos_ + line_len_ + (nl == 1 ? 1 : 0);
        line.lf_before = lf_count_;
        line.nl = nl;
        line.blank = line_len_ == nl;
        dispatch_line(line);
        stored_pos_ = line.stored_end;
        imap_pos_ = line.imap_end;
        ++lf_count_;
        prev_nl_ = nl;
        line_.clear();
        line_len_ = 0;
    }
}

void MimeParser::dispatch_line(const Line& line) {
    bool boundary = match_boundary(line);
    prev_was_boundary_ = boundary;
    if (boundary) return;
    Frame& f = stack_.back();
    if (f.in_header) header_line(f, line);
}

bool MimeParser::match_boundary(const Line& line) {
    if (!boundaries_enabled_ || line.content.size() < 3 || line.content[0] != '-' || line.content[1] != '-')
        return false;
    for (size_t i = stack_.size(); i-- > 0;) {
        const Frame& f = stack_[i];
        if (!f.multipart_open || !line.content.starts_with(f.boundary)) continue;
        while (stack_.size() > i + 1) pop_frame_at_boundary(line);
        Frame& mp = stack_.back();
        std::string_view rest = line.content.substr(mp.boundary.size());
        if (rest.starts_with("--")) {
            mp.multipart_open = false;  // the epilogue follows: ignored
        } else {
            bool digest = iequals(mp.part.subtype, "digest");
            push_frame(line.stored_end, line.imap_end, false, digest);
        }
        return true;
    }
    return false;
}

void MimeParser::header_line(Frame& f, const Line& line) {
    std::string_view full = std::string_view(line_).substr(0, std::min<size_t>(line_.size(), line_len_));
    if (f.embedded && f.raw_header.size() < limits_.max_embedded_header)
        f.raw_header.append(full.substr(0, limits_.max_embedded_header - f.raw_header.size()));
    if (line.blank) {
        end_header(f, line.stored_end, line.imap_end, line.lf_before + 1);
        return;
    }
    if (line.content.starts_with(' ') || line.content.starts_with('\t')) {
        if (!f.field.empty() && f.field.size() < limits_.max_field)
            f.field.append(full.substr(0, limits_.max_field - f.field.size()));
        return;
    }
    flush_field(f);
    f.field.assign(full);
}

// Keeps a finished header field when it is one of the MIME fields we report.
void MimeParser::flush_field(Frame& f) {
    if (f.field.size() >= 8 && strncasecmp(f.field.data(), "content-", 8) == 0) f.fields.push_back(f.field);
    f.field.clear();
}

namespace {

bool has_boundary(const MimeParams& params) {
    for (const auto& [k, v] : params)
        if (iequals(k, "boundary") && !v.empty()) return true;
    return false;
}

// Applies the MIME fields of a header to its part; the first of each wins.
void apply_fields(MimePart& p, const std::vector<std::string>& fields, bool digest_child) {
    bool have_disposition = false, have_language = false;
    for (const auto& field : fields) {
        auto colon = field.find(':');
        if (colon == std::string::npos) continue;
        std::string_view name = std::string_view(field).substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        std::string_view value = std::string_view(field).substr(colon + 1);
        name.remove_prefix(8);
        if (iequals(name, "type") && !p.content_type_given) {
            MimeValue v = parse_content_type(unfold_value(value));
            if (v.type.empty()) continue;  // invalid: as if absent (RFC 2045 5.2)
            if (iequals(v.type, "multipart") && !has_boundary(v.params)) continue;  // RFC 2046 5.1.1
            p.type = std::move(v.type);
            p.subtype = std::move(v.subtype);
            p.params = std::move(v.params);
            p.content_type_given = true;
        } else if (iequals(name, "transfer-encoding") && !p.encoding) {
            p.encoding = parse_token_value(value);
        } else if (iequals(name, "id") && !p.id) {
            p.id = unfold_value(value);
        } else if (iequals(name, "description") && !p.description) {
            p.description = unfold_value(value);
        } else if (iequals(name, "md5") && !p.md5) {
            p.md5 = unfold_value(value);
        } else if (iequals(name, "location") && !p.location) {
            p.location = unfold_value(value);
        } else if (iequals(name, "disposition") && !have_disposition) {
            p.disposition = parse_content_disposition(unfold_value(value));
            have_disposition = true;
        } else if (iequals(name, "language") && !have_language) {
            p.language = parse_content_language(unfold_value(value));
            have_language = true;
        }
    }
    if (!p.content_type_given) {
        p.type = digest_child ? "message" : "text";
        p.subtype = digest_child ? "rfc822" : "plain";
    }
}

}  // namespace

void MimeParser::end_header(Frame& f, uint64_t stored_end, uint64_t imap_end, uint64_t lf_count) {
    flush_field(f);
    f.in_header = false;
    MimePart& p = f.part;
    p.header.stored_length = stored_end - p.header.stored_offset;
    p.header.imap_length = imap_end - p.header.imap_offset;
    p.body.stored_offset = stored_end;
    p.body.imap_offset = imap_end;
    f.body_lf_start = lf_count;
    apply_fields(p, f.fields, f.digest_child);
    f.fields.clear();
    f.fields.shrink_to_fit();
    if (f.embedded) {
        p.envelope = imap_envelope(f.raw_header);
        std::string().swap(f.raw_header);
    }
    if (f.depth + 1 >= limits_.max_depth) return;  // too deep: a leaf
    if (p.is_multipart()) {
        for (const auto& [k, v] : p.params) {
            if (iequals(k, "boundary") && !v.empty()) {
                f.boundary = "--" + v;
                f.multipart_open = true;
                break;
            }
        }
    } else if (p.is_message_rfc822()) {
        push_frame(stored_end, imap_end, true, false);
        stack_.back().body_lf_start = lf_count;
    }
}

// Ends the innermost part just before the line break that precedes the boundary line.
void MimeParser::pop_frame_at_boundary(const Line& line) {
    Frame& f = stack_.back();
    uint64_t start = f.in_header ? f.part.header.stored_offset : f.part.body.stored_offset;
    // After a close delimiter its own line break belongs to the multipart
    // (Dovecot: "--c--" LF "--b" leaves "--c--" LF in the outer part).
    if (line.stored_start > start && !prev_was_boundary_) {
        pop_frame(line.stored_start - prev_nl_, line.imap_start - 2, line.lf_before - 1);
    } else if (!f.in_header && line.stored_start == start && !prev_was_boundary_ &&
               f.part.header.stored_length >= prev_nl_ && f.part.header.imap_length >= 2) {
        // The blank line that ended the header is followed at once by the
        // boundary: its line break belongs to the boundary (RFC 2046 5.1.1),
        // so the header ends without it (Dovecot agrees).
        f.part.header.stored_length -= prev_nl_;
        f.part.header.imap_length -= 2;
        f.part.body.stored_offset -= prev_nl_;
        f.part.body.imap_offset -= 2;
        f.body_lf_start -= 1;
        pop_frame(line.stored_start - prev_nl_, line.imap_start - 2, line.lf_before - 1);
    } else {
        pop_frame(line.stored_start, line.imap_start, line.lf_before);
    }
}

void MimeParser::pop_frame(uint64_t stored_end, uint64_t imap_end, uint64_t lf_count) {
    {
        Frame& f = stack_.back();
        if (f.in_header) {
            if (f.embedded && f.raw_header.size() > stored_end - f.part.header.stored_offset)
                f.raw_header.resize(stored_end - f.part.header.stored_offset);
            size_t before = stack_.size();
            end_header(f, stored_end, imap_end, lf_count);
            if (stack_.size() != before) pop_frame(stored_end, imap_end, lf_count);  // an empty embedded message
        }
    }
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    MimePart& p = f.part;
    p.body.stored_length = stored_end - p.body.stored_offset;
    p.body.imap_length = imap_end - p.body.imap_offset;
    p.body_lines = lf_count - f.body_lf_start;
    if (p.is_multipart() && p.children.empty()) {
        // Dovecot shows a multipart without parts as one empty text/plain part.
        MimePart empty;
        empty.type = "text";
        empty.subtype = "plain";
        empty.header = {stored_end, 0, imap_end, 0};
        empty.body = empty.header;
        p.children.push_back(std::move(empty));
    }
    if (stack_.empty()) {
        stack_.push_back(std::move(f));  // the top part waits for finish()
        return;
    }
    MimePart& parent = stack_.back().part;
    if (f.embedded) {
        parent.envelope = std::move(p.envelope);
        p.envelope.clear();
        parent.message = std::make_unique<MimePart>(std::move(p));
    } else {
        parent.children.push_back(std::move(p));
    }
}

MimePart MimeParser::finish() {
    if (finished_) return {};
    if (line_len_ > 0) {
        // The last line has no line break.
        Line line;
        std::string_view content = line_;
        line.content = content;
        line.stored_start = stored_pos_;
        line.imap_start = imap_pos_;
        line.stored_end = stored_pos_ + line_len_;
        line.imap_end = imap_pos_ + line_len_;
        line.lf_before = lf_count_;
        line.nl = 0;
        line.blank = false;
        dispatch_line(line);
        stored_pos_ = line.stored_end;
        imap_pos_ = line.imap_end;
    }
    while (!stack_.empty()) {
        size_t depth = stack_.size();
        pop_frame(stored_pos_, imap_pos_, lf_count_);
        if (depth == 1) break;
    }
    finished_ = true;
    MimePart top = std::move(stack_.back().part);
    stack_.clear();
    return top;
}

MimePart parse_message(std::string_view message, MimeLimits limits) {
    MimeParser parser(limits);
    parser.feed(message);
    return parser.finish();
}

MimePart parse_message(const MessageContent& message, MimeLimits limits) {
    MimeParser parser(limits);
    std::vector<char> buf(64 * 1024);
    uint64_t offset = 0;
    while (offset < message.length()) {
        size_t got = message.read(offset, buf.data(), buf.size());
        if (got == 0) break;
        parser.feed(std::string_view(buf.data(), got));
        offset += got;
    }
    return parser.finish();
}

}  // namespace mail
