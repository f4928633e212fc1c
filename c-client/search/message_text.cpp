#include "search/message_text.hpp"

#include <strings.h>

#include <algorithm>
#include <vector>

#include "message/charset.hpp"
#include "message/header.hpp"
#include "message/rfc2047.hpp"
#include "mime/parser.hpp"
#include "search/text_decoder.hpp"

namespace mail {

namespace {

constexpr size_t kChunk = 64 * 1024;

// Reads [offset, offset+length) of the message in chunks, calling f(chunk)
// until it returns false.
template <class F>
void read_range(const MessageContent& content, uint64_t offset, uint64_t length, F&& f) {
    std::vector<char> buf(kChunk);
    while (length > 0) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(length, buf.size()));
        size_t got = content.read(offset, buf.data(), want);
        if (got == 0) break;
        offset += got;
        length -= got;
        if (!f(std::string_view(buf.data(), got))) break;
    }
}

std::string_view param(const MimeParams& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return {};
}

class BodyScanner {
public:
    BodyScanner(const MessageContent& content, TextMatcher* body, TextMatcher* text)
        : content_(content), body_(body), text_(text) {}

    bool done() const { return (!body_ || body_->all_found()) && (!text_ || text_->all_found()); }

    void walk(const MimePart& part, bool top) {
        if (done()) return;
        if (!top && text_ && !text_->all_found()) {
            std::string header;
            uint64_t len = std::min<uint64_t>(part.header.stored_length, kMaxSearchedHeader);
            read_range(content_, part.header.stored_offset, len, [&](std::string_view c) {
                header.append(c);
                return true;
            });
            text_->boundary();
            feed_header_text(header, *text_);
        }
        if (part.is_multipart()) {
            for (const MimePart& child : part.children) walk(child, false);
        } else if (part.is_message_rfc822() && part.message) {
            walk(*part.message, false);
        } else if (part.is_text() || strcasecmp(part.type.c_str(), "message") == 0) {
            leaf(part);
        }
    }

private:
    void leaf(const MimePart& part) {
        if (body_) body_->boundary();
        if (text_) text_->boundary();
        TransferDecoder decoder(TransferDecoder::encoding_of(part.encoding ? *part.encoding : ""));
        Utf8Converter converter(param(part.params, "charset"));
        std::string decoded, utf8;
        auto push = [&](bool last) {
            if (last) decoder.finish(decoded);
            converter.feed(decoded, utf8);
            if (last) converter.finish(utf8);
            decoded.clear();
            if (body_) body_->feed(utf8);
            if (text_) text_->feed(utf8);
            utf8.clear();
        };
        read_range(content_, part.body.stored_offset, part.body.stored_length, [&](std::string_view c) {
            decoder.feed(c, decoded);
            push(false);
            return !done();
        });
        push(true);
    }

    const MessageContent& content_;
    TextMatcher* body_;
    TextMatcher* text_;
};

}  // namespace

std::string read_header(const MessageContent& content) {
    std::string header;
    uint64_t offset = 0;
    std::vector<char> buf(kChunk);
    while (header.size() < kMaxSearchedHeader) {
        size_t got = content.read(offset, buf.data(), buf.size());
        if (got == 0) break;
        header.append(buf.data(), got);
        offset += got;
        if (auto end = find_header_end(header)) {
            header.resize(*end);
            break;
        }
    }
    if (header.size() > kMaxSearchedHeader) header.resize(kMaxSearchedHeader);
    return header;
}

void feed_header_text(std::string_view header, TextMatcher& m) {
    HeaderParser fields(header);
    std::string line;
    while (auto f = fields.next()) {
        line.assign(f->name);
        line += ": ";
        line += decode_rfc2047(searchable_header_value(f->raw_value));
        line += '\n';
        m.feed(line);
        if (m.all_found()) return;
    }
}

void scan_body_text(const MessageContent& content, TextMatcher* body, TextMatcher* text) {
    BodyScanner scanner(content, body, text);
    if (scanner.done()) return;
    MimePart top = parse_message(content);
    scanner.walk(top, true);
}

}  // namespace mail
