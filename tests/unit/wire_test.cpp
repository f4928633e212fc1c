// BINARY's section resolution and streaming decode (mime/binary_section),
// COMPRESS's deflate transport (imapd/session/compress_transport).
#include <catch2/catch.hpp>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <deque>
#include <string>

#include "imapd/session/compress_transport.hpp"
#include "mime/binary_section.hpp"
#include "mime/parser.hpp"
#include "util/fd.hpp"

namespace {

mail::MessageContent content_of(const std::string& bytes) {
    int fd = memfd_create("wire-test", 0);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    return mail::MessageContent(std::make_shared<const mail::UniqueFd>(fd), {{0, bytes.size()}});
}

std::string decode_all(const mail::MessageContent& content, const mail::BinarySection& section) {
    std::string out;
    mail::DecodedReader reader(content, section);
    for (auto chunk = reader.next(); !chunk.empty(); chunk = reader.next()) out += chunk;
    return out;
}

}  // namespace

TEST_CASE("binary_encoding classifies Content-Transfer-Encoding", "[wire]") {
    using E = mail::TransferDecoder::Encoding;
    struct Case { std::optional<std::string> cte; std::optional<E> expected; };
    const Case cases[] = {
        {std::nullopt, E::Identity}, {"7bit", E::Identity}, {"8BIT", E::Identity}, {"Binary", E::Identity},
        {"base64", E::Base64}, {"BASE64", E::Base64}, {"quoted-printable", E::QuotedPrintable},
        {"x-uuencode", std::nullopt}, {"gzip", std::nullopt},
    };
    for (const Case& c : cases) {
        INFO(c.cte.value_or("(none)"));
        CHECK(mail::binary_encoding(c.cte) == c.expected);
    }
}

TEST_CASE("BINARY[part] decodes the part's body; containers are sent as they are", "[wire]") {
    const std::string msg =
        "Subject: t\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Transfer-Encoding: base64\n\nAAEC\nA/8=\n"
        "--b\nContent-Transfer-Encoding: quoted-printable\n\na=3Db  \nsoft=\nbreak\n"
        "--b\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n"
        "--b\nContent-Type: message/rfc822\n\nSubject: in\n\nbody\n"
        "--b--\n";
    auto content = content_of(msg);
    auto top = mail::parse_message(content);
    struct Case { std::vector<unsigned> path; bool exists; bool known; std::string decoded; };
    const Case cases[] = {
        {{1}, true, true, std::string("\x00\x01\x02\x03\xff", 5)},
        {{2}, true, true, "a=b\r\nsoftbreak"},
        {{3}, true, false, ""},
        {{4}, true, true, "Subject: in\r\n\r\nbody"},
        {{9}, false, true, ""},
        {{1, 1}, true, true, std::string("\x00\x01\x02\x03\xff", 5)},  // "1.1" of a leaf is the leaf (Dovecot)
        {{1, 1, 1}, false, true, ""},
    };
    for (const Case& c : cases) {
        INFO("part " << c.path.front() << " depth " << c.path.size());
        auto section = mail::resolve_binary_section(top, c.path);
        REQUIRE(section.has_value() == c.exists);
        if (!section) continue;
        CHECK(section->known_encoding == c.known);
        if (!c.known) continue;
        CHECK(decode_all(content, *section) == c.decoded);
        auto extent = mail::measure_decoded(content, *section);
        CHECK(extent.size == c.decoded.size());
        CHECK(extent.nul_in_window == (c.decoded.find('\0') != std::string::npos));
    }
    // The NUL of part 1 is at offset 0: a window after it holds none.
    auto first = mail::resolve_binary_section(top, {1});
    CHECK(mail::measure_decoded(content, *first, 1, 10).nul_in_window == false);
    CHECK(mail::measure_decoded(content, *first, 0, 1).nul_in_window == true);
    // The whole message is the stored message in CRLF form.
    auto whole = mail::resolve_binary_section(top, {});
    CHECK(mail::measure_decoded(content, *whole).size == msg.size() + std::count(msg.begin(), msg.end(), '\n'));
}

TEST_CASE("a large base64 part decodes in chunks to the right bytes", "[wire]") {
    std::string raw;
    for (int i = 0; i < 300000; ++i) raw += static_cast<char>(i * 7 + i / 251);
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b64;
    for (size_t i = 0; i + 2 < raw.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8) |
                     static_cast<unsigned char>(raw[i + 2]);
        for (int k = 18; k >= 0; k -= 6) b64 += kAlphabet[(v >> k) & 63];
        if (i % 57 == 54) b64 += "\r\n";
    }
    auto content = content_of("Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n");
    auto top = mail::parse_message(content);
    auto section = mail::resolve_binary_section(top, {1});
    REQUIRE(section);
    CHECK(decode_all(content, *section) == raw);
}

namespace {

// Both ends of a pipe in memory: what one side writes the other reads.
class LoopTransport : public mail::imapd::Transport {
public:
    size_t read(char* buf, size_t n) override {
        size_t k = std::min(n, std::min<size_t>(in.size(), max_read));
        in.copy(buf, k);
        in.erase(0, k);
        return k;
    }
    bool write(std::string_view data) override {
        out += data;
        return true;
    }
    Wait wait(int, int) override { return in.empty() ? Wait::Timeout : Wait::Input; }
    std::string in, out;
    size_t max_read = 1 << 20;
};

std::string raw_deflate(const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(compressBound(text.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_SYNC_FLUSH) == Z_OK);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    return out;
}

std::string raw_inflate(const std::string& data) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, -15) == Z_OK);
    std::string out(1 << 22, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_SYNC_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_BUF_ERROR));
    out.resize(out.size() - z.avail_out);
    inflateEnd(&z);
    return out;
}

}  // namespace

TEST_CASE("CompressTransport inflates what it reads and deflates what it writes", "[wire]") {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "a" + std::to_string(i * 31) + " NOOP\r\n";
    for (size_t max_read : {size_t{1}, size_t{7}, size_t{1} << 20}) {
        for (size_t buffer : {size_t{3}, size_t{4096}, size_t{1} << 17}) {
            INFO("reads of " << max_read << " into " << buffer);
            LoopTransport inner;
            inner.max_read = max_read;
            inner.in = raw_deflate(text);
            mail::imapd::CompressTransport z(inner);
            std::string got;
            std::vector<char> buf(buffer);
            while (got.size() < text.size()) {
                CHECK(z.wait(-1, 0) == mail::imapd::Transport::Wait::Input);
                size_t n = z.read(buf.data(), buf.size());
                REQUIRE(n > 0);
                got.append(buf.data(), n);
            }
            CHECK(got == text);
            CHECK(z.read(buf.data(), buf.size()) == 0);  // the peer has nothing more
            if (buffer != 4096 || max_read != 7) continue;
            // Each write is flushed: the bytes so far inflate to all that was written.
            REQUIRE(z.write("* OK one\r\n"));
            CHECK(raw_inflate(inner.out) == "* OK one\r\n");
            REQUIRE(z.write(text));
            CHECK(raw_inflate(inner.out) == "* OK one\r\n" + text);
        }
    }
}

TEST_CASE("CompressTransport ends the session on input that does not inflate", "[wire]") {
    LoopTransport inner;
    inner.in = std::string("\xff\xff\xff\xff garbage", 12);
    mail::imapd::CompressTransport z(inner);
    char buf[64];
    CHECK(z.read(buf, sizeof buf) == 0);
}
