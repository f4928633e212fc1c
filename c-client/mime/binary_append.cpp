#include "mime/binary_append.hpp"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "mime/parser.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/write_all.hpp"

namespace mail {

namespace {

using ReadAt = std::function<size_t(uint64_t offset, char* buf, size_t n)>;
using Write = std::function<void(std::string_view)>;

constexpr size_t kLineInput = 57;             // 76 base64 characters a line, as Dovecot writes
constexpr uint64_t kMaxHeader = 1024 * 1024;  // a larger part header is left as it is

// The leaf parts to convert, in the order of the message.
void collect(const MimePart& part, std::vector<const MimePart*>& out) {
    if (part.is_multipart()) {
        for (const MimePart& child : part.children) collect(child, out);
    } else if (part.message) {
        collect(*part.message, out);
    } else if (part.encoding && strcasecmp(part.encoding->c_str(), "binary") == 0 &&
               part.header.stored_length <= kMaxHeader) {
        out.push_back(&part);
    }
}

std::string read_range(const ReadAt& read, uint64_t offset, uint64_t length) {
    std::string out(static_cast<size_t>(length), '\0');
    size_t done = 0;
    while (done < out.size()) {
        size_t n = read(offset + done, out.data() + done, out.size() - done);
        if (n == 0) break;
        done += n;
    }
    out.resize(done);
    return out;
}

void copy_range(const ReadAt& read, uint64_t offset, uint64_t length, const Write& write) {
    std::vector<char> buf(64 * 1024);
    while (length > 0) {
        size_t n = read(offset, buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), length)));
        if (n == 0) break;
        write(std::string_view(buf.data(), n));
        offset += n;
        length -= n;
    }
}

// The header with its first Content-Transfer-Encoding field (and the field's
// continuation lines) replaced by "Content-Transfer-Encoding: base64"; the
// line end of the field is kept, and returned in eol. nullopt when the
// header has no such field.
std::optional<std::string> rewrite_header(std::string_view header, std::string& eol) {
    static constexpr std::string_view kName = "content-transfer-encoding";
    eol = "\r\n";
    size_t pos = 0;
    while (pos < header.size()) {
        size_t end = header.find('\n', pos);
        end = end == std::string_view::npos ? header.size() : end + 1;
        std::string_view line = header.substr(pos, end - pos);
        size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        if (name.size() == kName.size() && strncasecmp(name.data(), kName.data(), kName.size()) == 0) {
            size_t field_end = end;
            while (field_end < header.size() && (header[field_end] == ' ' || header[field_end] == '\t')) {
                size_t lf = header.find('\n', field_end);
                field_end = lf == std::string_view::npos ? header.size() : lf + 1;
            }
            std::string_view last = header.substr(0, field_end);
            eol = last.size() >= 2 && last.substr(last.size() - 2) == "\r\n" ? "\r\n" : "\n";
            std::string out(header.substr(0, pos));
            out += "Content-Transfer-Encoding: base64";
            out += eol;
            out.append(header.substr(field_end));
            return out;
        }
        pos = end;
    }
    return std::nullopt;
}

void encode_line(std::string_view in, std::string& out) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 3 <= in.size(); i += 3) {
        uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (i < in.size()) {
        uint32_t v = byte(i) << 16 | (i + 1 < in.size() ? byte(i + 1) << 8 : 0);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
}

// The body as base64 lines separated by eol, with no line end after the
// last (the line break before a boundary belongs to the boundary).
void encode_body(const ReadAt& read, uint64_t offset, uint64_t length, const std::string& eol, const Write& write) {
    std::vector<char> buf(kLineInput * 1024);
    std::string out;
    bool first = true;
    while (length > 0) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length));
        size_t got = 0;
        while (got < want) {  // whole lines, so that a chunk ends on a line
            size_t n = read(offset + got, buf.data() + got, want - got);
            if (n == 0) break;
            got += n;
        }
        if (got == 0) break;
        out.clear();
        for (size_t at = 0; at < got; at += kLineInput) {
            if (!first) out += eol;
            first = false;
            encode_line(std::string_view(buf.data() + at, std::min(kLineInput, got - at)), out);
        }
        write(out);
        offset += got;
        length -= got;
    }
}

void write_converted(uint64_t length, const ReadAt& read, const Write& write, const MimePart& top) {
    std::vector<const MimePart*> parts;
    collect(top, parts);
    uint64_t pos = 0;
    for (const MimePart* part : parts) {
        copy_range(read, pos, part->header.stored_offset - pos, write);
        std::string eol;
        std::string header = read_range(read, part->header.stored_offset, part->header.stored_length);
        std::optional<std::string> rewritten = rewrite_header(header, eol);
        pos = part->header.stored_offset;
        if (!rewritten) continue;  // copied as it is
        write(*rewritten);
        encode_body(read, part->body.stored_offset, part->body.stored_length, eol, write);
        pos = part->body.stored_offset + part->body.stored_length;
    }
    copy_range(read, pos, length - pos, write);
}

UniqueFd temporary_file() {
    const char* env = std::getenv("TMPDIR");
    std::string dir = env && *env ? env : "/tmp";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::string name = dir + "/imapd-append-XXXXXX";
        fd = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd >= 0) ::unlink(name.c_str());
    }
    if (fd < 0) throw MailError(ErrorKind::Io, std::string("cannot create a temporary file: ") + std::strerror(errno));
    return UniqueFd(fd);
}

class BinaryConvertingSink : public AppendSink {
public:
    explicit BinaryConvertingSink(std::unique_ptr<AppendSink> inner)
        : inner_(std::move(inner)), fd_(std::make_shared<UniqueFd>(temporary_file())) {}

    void write(std::string_view bytes) override {
        if (!write_all(fd_->get(), bytes))
            throw MailError(errno == ENOSPC ? ErrorKind::NoSpace : ErrorKind::Io,
                            std::string("cannot write a temporary file: ") + std::strerror(errno));
        parser_.feed(bytes);
        length_ += bytes.size();
    }

    Uid commit() override {
        MimePart top = parser_.finish();
        MessageContent content(fd_, {FileRange{0, length_}});
        write_converted(
            length_, [&](uint64_t offset, char* buf, size_t n) { return content.read(offset, buf, n); },
            [&](std::string_view bytes) { inner_->write(bytes); }, top);
        return inner_->commit();
    }

private:
    std::unique_ptr<AppendSink> inner_;
    std::shared_ptr<UniqueFd> fd_;
    MimeParser parser_;
    uint64_t length_ = 0;
};

}  // namespace

std::unique_ptr<AppendSink> binary_converting_sink(std::unique_ptr<AppendSink> inner) {
    return std::make_unique<BinaryConvertingSink>(std::move(inner));
}

std::string convert_binary_parts(std::string_view message) {
    std::string out;
    auto read = [&](uint64_t offset, char* buf, size_t n) {
        if (offset >= message.size()) return size_t{0};
        n = std::min<size_t>(n, message.size() - offset);
        std::memcpy(buf, message.data() + offset, n);
        return n;
    };
    write_converted(message.size(), read, [&](std::string_view bytes) { out.append(bytes); },
                    parse_message(message));
    return out;
}

}  // namespace mail
