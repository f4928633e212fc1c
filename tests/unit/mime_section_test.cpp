// Section resolution and reading against Dovecot's answers for one message
// with LF line ends (served as CRLF), plus limits of the parser.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include "mime/bodystructure.hpp"
#include "mime/parser.hpp"
#include "mime/section.hpp"
#include "mime/section_reader.hpp"

namespace {

// A MessageContent over bytes held in an anonymous file.
mail::MessageContent content_of(const std::string& bytes) {
    int fd = memfd_create("mime-test", 0);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    return mail::MessageContent(std::make_shared<const mail::UniqueFd>(fd), {{0, bytes.size()}});
}

std::string crlf(std::string s) {
    std::string out;
    bool prev_cr = false;
    mail::append_crlf(out, s, prev_cr);
    return out;
}

const std::string kMessage =
    "Subject: x\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\n"
    "MIME-Version: 1.0\n"
    "\n"
    "preamble\n"
    "--b\n"
    "Content-Type: text/html; charset=UTF-8\n"
    "\n"
    "hello\n"
    "--b\n"
    "\n"
    "plain\n"
    "\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "From: a@b\n"
    "\n"
    "inner body\n"
    "--b--\n"
    "epilogue\n";

}  // namespace

TEST_CASE("FETCH sections give what Dovecot gives", "[mime]") {
    struct Case {
        std::string section, expected;  // expected with LF ends; sent as CRLF
    } cases[] = {
        {"1", "hello"},
        {"2", "plain\n"},
        {"3", "Subject: inner\nFrom: a@b\n\ninner body"},
        {"3.TEXT", "inner body"},
        {"3.1", "inner body"},
        {"3.HEADER", "Subject: inner\nFrom: a@b\n\n"},
        {"3.HEADER.FIELDS (FROM)", "From: a@b\n\n"},
        {"3.HEADER.FIELDS.NOT (FROM)", "Subject: inner\n\n"},
        {"1.MIME", "Content-Type: text/html; charset=UTF-8\n\n"},
        {"2.TEXT", ""},
        {"HEADER.FIELDS (subject mime-version)", "Subject: x\nMIME-Version: 1.0\n\n"},
        {"HEADER.FIELDS (X-None)", "\n"},
        {"TEXT", kMessage.substr(kMessage.find("\n\n") + 2)},
        {"HEADER", kMessage.substr(0, kMessage.find("\n\n") + 2)},
        {"", kMessage},
    };
    auto content = content_of(kMessage);
    mail::MimePart top = mail::parse_message(content);
    for (const auto& c : cases) {
        INFO("BODY[" << c.section << "]");
        auto spec = mail::parse_section(c.section);
        REQUIRE(spec);
        auto range = mail::resolve_section(top, *spec);
        REQUIRE(range);
        std::string got = mail::read_section(content, *range);
        CHECK(got == crlf(c.expected));
        if (!range->filter) CHECK(range->imap_length == got.size());
    }
}

TEST_CASE("BODY[1] of a non-multipart message is its body; missing parts are refused", "[mime]") {
    std::string m = "Subject: s\r\n\r\nline one\nline two\n";
    auto content = content_of(m);
    mail::MimePart top = mail::parse_message(content);
    auto r = mail::resolve_section(top, *mail::parse_section("1"));
    REQUIRE(r);
    CHECK(mail::read_section(content, *r) == "line one\r\nline two\r\n");
    CHECK(r->imap_length == 20);
    CHECK(top.header.imap_length + top.body.imap_length == m.size() + 2);
    CHECK_FALSE(mail::resolve_section(top, *mail::parse_section("2")));
    CHECK_FALSE(mail::resolve_section(top, *mail::parse_section("1.1")));
}

TEST_CASE("n.1 of a leaf part is part n, and must end the path (Dovecot's reading)", "[mime]") {
    auto content = content_of(kMessage);
    mail::MimePart top = mail::parse_message(content);
    auto read = [&](const char* spec) {
        auto r = mail::resolve_section(top, *mail::parse_section(spec));
        return r ? std::optional<std::string>(mail::read_section(content, *r)) : std::nullopt;
    };
    CHECK(read("1.1") == read("1"));
    CHECK(read("1.1.MIME") == read("1.MIME"));
    CHECK(read("2.1") == std::optional<std::string>("plain\r\n"));
    CHECK_FALSE(read("1.1.1"));
    CHECK_FALSE(read("1.2"));
    CHECK(read("3.1") == std::optional<std::string>("inner body"));  // the embedded message's body
    CHECK_FALSE(read("3.1.1"));
}

TEST_CASE("HEADER.FIELDS.NOT is BODY[HEADER] less the fields, as Dovecot answers", "[mime]") {
    using mail::filter_header_fields;
    const std::vector<std::string> subject{"Subject"};
    // No blank line is added to a header that has none, none to an empty one.
    CHECK(filter_header_fields("From: a\nSubject: s\n", subject, true) == "From: a\r\n");
    CHECK(filter_header_fields("From: a\nSubject: s", {"X"}, true) == "From: a\r\nSubject: s");
    CHECK(filter_header_fields("", subject, true) == "");
    // Lines without a colon and a leading continuation line are kept.
    CHECK(filter_header_fields(" orphan\nno colon\nSubject: s\n more\nTo: b\n\n", subject, true) ==
          " orphan\r\nno colon\r\nTo: b\r\n\r\n");
    // HEADER.FIELDS still ends with the blank line and picks fields only.
    CHECK(filter_header_fields("no colon\nSubject: s", subject, false) == "Subject: s\r\n\r\n");
}

TEST_CASE("<partial> windows count CRLF bytes", "[mime]") {
    std::string m = "H: v\n\nab\ncd\nef\n";
    auto content = content_of(m);
    mail::MimePart top = mail::parse_message(content);
    auto r = *mail::resolve_section(top, *mail::parse_section("TEXT"));
    struct Case {
        uint64_t offset;
        std::optional<uint64_t> length;
        std::string expected;
    } cases[] = {
        {0, std::nullopt, "ab\r\ncd\r\nef\r\n"}, {2, 2, "\r\n"}, {3, 3, "\ncd"}, {11, 5, "\n"}, {12, 5, ""}, {4, 0, ""},
    };
    for (const auto& c : cases) {
        INFO(c.offset);
        CHECK(mail::read_section(content, r, c.offset, c.length) == c.expected);
    }
}

TEST_CASE("malformed section specs are refused", "[mime]") {
    for (const char* s : {"0", "1.", ".1", "1..2", "HEADER.FIELDS", "HEADER.FIELDS ()", "MIME", "1.FOO", "TEXT.1", "1x"})
        CHECK_FALSE(mail::parse_section(s));
    auto spec = mail::parse_section("4.2.header.fields.not (A \"B C\")");
    REQUIRE(spec);
    CHECK(spec->path == std::vector<unsigned>{4, 2});
    CHECK(spec->text == mail::SectionText::HeaderFieldsNot);
    CHECK(spec->fields == std::vector<std::string>{"A", "B C"});
}

TEST_CASE("parts record both coordinates", "[mime]") {
    std::string m = "A: b\n\npre\n--x\n\nbody\n--x--\n";
    m = "Content-Type: multipart/mixed; boundary=x\n" + m;
    mail::MimePart top = mail::parse_message(m);
    REQUIRE(top.children.size() == 1);
    const auto& p = top.children[0];
    CHECK(p.header.stored_offset == m.find("--x\n") + 4);
    CHECK(p.header.stored_length == 1);
    CHECK(p.header.imap_length == 2);
    CHECK(p.body.stored_offset == m.find("body"));
    CHECK(p.body.stored_length == 4);
    CHECK(p.body.imap_offset == p.body.stored_offset + 6);  // six LFs before it
    CHECK(p.body_lines == 0);
}

TEST_CASE("nesting and part counts are bounded", "[mime]") {
    std::string m;
    for (int i = 0; i < 500; ++i) m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
    m += "\nend\n";
    mail::MimePart top = mail::parse_message(m);
    int depth = 0;
    for (const mail::MimePart* p = &top; !p->children.empty(); p = &p->children[0]) ++depth;
    CHECK(depth <= 100);
    CHECK(mail::body_structure(top, true).size() > 0);

    std::string many = "Content-Type: multipart/mixed; boundary=b\n\n";
    for (int i = 0; i < 20000; ++i) many += "--b\n\nx\n";
    mail::MimePart wide = mail::parse_message(many);
    CHECK(wide.children.size() < 10000);

    std::string msgs;
    for (int i = 0; i < 500; ++i) msgs += "Content-Type: message/rfc822\n\n";
    mail::MimePart deep = mail::parse_message(msgs);
    CHECK(mail::body_structure(deep, false).size() > 0);
}
