#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "message/header.hpp"

using namespace mail;

namespace {

struct Field {
    std::string name, raw, unfolded;
    bool operator==(const Field&) const = default;
};

std::vector<Field> fields_of(std::string_view header) {
    std::vector<Field> out;
    for (const HeaderField& f : header_fields(header))
        out.push_back({std::string(f.name), std::string(f.raw_value), f.unfolded()});
    return out;
}

}  // namespace

TEST_CASE("header fields: names, raw and unfolded values", "[rfc5322]") {
    struct Case {
        std::string header;
        std::vector<Field> expected;
    };
    const std::vector<Case> cases = {
        {"Subject: hi\r\nFrom: a@b\r\n\r\nbody", {{"Subject", " hi", "hi"}, {"From", " a@b", "a@b"}}},
        {"Subject: hi\nFrom: a@b\n\nbody", {{"Subject", " hi", "hi"}, {"From", " a@b", "a@b"}}},
        // folding kept in raw, removed (whitespace kept) in unfolded
        {"Subject: one\r\n\ttwo\r\n  three\r\nX: y\r\n",
         {{"Subject", " one\r\n\ttwo\r\n  three", "one\ttwo  three"}, {"X", " y", "y"}}},
        // missing final newline
        {"Subject: last", {{"Subject", " last", "last"}}},
        // a line without a colon is skipped, with its continuation lines
        {"junk line\n cont\nTo: x\n", {{"To", " x", "x"}}},
        // whitespace before the colon, empty value, no space after colon
        {"Subject : a\nX-Empty:\nX-Tight:v\n",
         {{"Subject", " a", "a"}, {"X-Empty", "", ""}, {"X-Tight", "v", "v"}}},
        // 8-bit bytes pass through
        {"Subject: caf\xc3\xa9 \xe9\n", {{"Subject", " caf\xc3\xa9 \xe9", "caf\xc3\xa9 \xe9"}}},
        // a header that starts with continuation lines: skipped
        {" stray\nA: 1\n", {{"A", " 1", "1"}}},
        // the blank line ends the header; fields after it are body
        {"A: 1\n\nB: 2\n", {{"A", " 1", "1"}}},
        {"\r\nA: 1\r\n", {}},
        {"", {}},
        // trailing whitespace is kept; a lone CR inside a line is kept
        {"A: x \r\nB: a\rb\r\n", {{"A", " x ", "x "}, {"B", " a\rb", "a\rb"}}},
        // a folded field with the value starting on the next line
        {"Message-ID:\r\n <id@x>\r\n", {{"Message-ID", "\r\n <id@x>", " <id@x>"}}},
    };
    for (const auto& c : cases) {
        INFO(c.header);
        CHECK(fields_of(c.header) == c.expected);
    }
}

TEST_CASE("header fields: a huge line", "[rfc5322]") {
    std::string value(200000, 'x');
    auto fields = fields_of("Subject: " + value + "\r\nTo: a\r\n");
    REQUIRE(fields.size() == 2);
    CHECK(fields[0].unfolded == value);
    CHECK(fields[1].name == "To");
}

TEST_CASE("find_header_field: first occurrence, case-insensitive", "[rfc5322]") {
    std::string h = "Received: 1\nSUBJECT: first\nsubject: second\n\nSubject: body\n";
    auto f = find_header_field(h, "subject");
    REQUIRE(f);
    CHECK(f->unfolded() == "first");
    CHECK(find_header_field(h, "received")->unfolded() == "1");
    CHECK_FALSE(find_header_field(h, "From"));
    CHECK_FALSE(find_header_field(h, "Subjec"));
}

TEST_CASE("find_header_end", "[rfc5322]") {
    struct Case {
        std::string message;
        std::optional<std::size_t> expected;
    };
    const std::vector<Case> cases = {
        {"A: 1\r\n\r\nbody", 8},
        {"A: 1\n\nbody", 6},
        {"A: 1\r\nB: 2\r\n\r\n", 14},
        {"\r\nbody", 2},
        {"\nbody", 1},
        {"A: 1\r\n", std::nullopt},
        {"A: 1", std::nullopt},
        {"", std::nullopt},
        {"A: 1\n\r\n", 7},
    };
    for (const auto& c : cases) {
        INFO(c.message);
        CHECK(find_header_end(c.message) == c.expected);
    }
}
