#include <catch2/catch.hpp>

#include "util/imap_string.hpp"

using mail::append_imap_string;

TEST_CASE("IMAP strings are quoted, escaped, or sent as literals") {
    struct Case {
        std::string in, out;
    } cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"a \"b\" \\c", "\"a \\\"b\\\" \\\\c\""},
        {"two\r\nlines", "{10}\r\ntwo\r\nlines"},
        {"caf\xc3\xa9", "{5}\r\ncaf\xc3\xa9"},
    };
    for (const auto& c : cases) {
        std::string out;
        append_imap_string(out, c.in);
        CHECK(out == c.out);
    }
}
