// APPEND of a literal8: parts with Content-Transfer-Encoding binary are
// stored base64-encoded (mime/binary_append.hpp), as Dovecot stores them.
#include <catch2/catch.hpp>

#include "mime/binary_append.hpp"

namespace {

class MemorySink : public mail::AppendSink {
public:
    explicit MemorySink(std::string& out) : out_(out) {}
    void write(std::string_view bytes) override { out_.append(bytes); }
    mail::Uid commit() override { return 7; }

private:
    std::string& out_;
};

}  // namespace

TEST_CASE("a binary single-part message is stored as base64", "[mime]") {
    // ImapTest's append-binary message: 7 octets with a NUL and bare LFs.
    std::string in = std::string("Subject: x\r\nContent-Transfer-Encoding: binary\r\n\r\n") +
                     std::string("\0-\xe4\n\r\n\n", 7);
    CHECK(mail::convert_binary_parts(in) == "Subject: x\r\nContent-Transfer-Encoding: base64\r\n\r\nAC3kCg0KCg==");
}

TEST_CASE("only the binary leaf parts are converted, nested ones too", "[mime]") {
    std::string data(100, '\x01');  // 100 octets: two base64 lines of 76 and 60
    const std::string in =
        "Content-Type: multipart/mixed; boundary=b\n"
        "Content-Transfer-Encoding: binary\n"  // a multipart: left as it is
        "\n"
        "--b\n"
        "Content-Type: text/plain\n"
        "\n"
        "text\n"
        "--b\n"
        "content-transfer-encoding : BINARY\n"
        "Content-Type: application/x-data\n"
        "\n" +
        data +
        "\n"
        "--b\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "Subject: inner\n"
        "Content-Transfer-Encoding:\n"
        "  binary\n"
        "X-After: 1\n"
        "\n" +
        std::string("\0\n", 2) +
        "--b--\n";
    const std::string expected =
        "Content-Type: multipart/mixed; boundary=b\n"
        "Content-Transfer-Encoding: binary\n"
        "\n"
        "--b\n"
        "Content-Type: text/plain\n"
        "\n"
        "text\n"
        "--b\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-Type: application/x-data\n"
        "\n"
        "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"
        "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==\n"
        "--b\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "Subject: inner\n"
        "Content-Transfer-Encoding: base64\n"
        "X-After: 1\n"
        "\n"
        "AA==\n"  // the line end before the boundary is the boundary's

        "--b--\n";
    CHECK(mail::convert_binary_parts(in) == expected);
}

TEST_CASE("messages without binary parts are stored unchanged", "[mime]") {
    for (std::string in : {std::string("Subject: x\n\nbody\n"), std::string("Subject: x"),
                           std::string("Content-Transfer-Encoding: 8bit\r\n\r\n\xe4\r\n")})
        CHECK(mail::convert_binary_parts(in) == in);
}

TEST_CASE("the converting sink writes the converted message at commit", "[mime]") {
    std::string stored;
    auto sink = mail::binary_converting_sink(std::make_unique<MemorySink>(stored));
    sink->write("Content-Transfer-Encoding: binary\r\n");
    sink->write("\r\n");
    sink->write(std::string("\0\0\0", 3));
    CHECK(stored.empty());
    CHECK(sink->commit() == 7);
    CHECK(stored == "Content-Transfer-Encoding: base64\r\n\r\nAAAA");
}
