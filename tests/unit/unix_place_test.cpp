// The unix driver's compact per-message place (message_place.hpp): its
// offsets and the visible ranges rebuilt from it equal what the scanner
// found, on messages with hidden lines in every arrangement. [unixmem]
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "drivers/unix/message_place.hpp"
#include "util/fd.hpp"

using namespace mail;
using namespace mail::unixmbox;

namespace {

// The bytes in an unlinked temporary file.
UniqueFd file_with(const std::string& data) {
    char name[] = "/tmp/unixmem-place-XXXXXX";
    UniqueFd fd(::mkstemp(name));
    REQUIRE(fd);
    ::unlink(name);
    REQUIRE(::write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    return fd;
}

std::string text_of(const std::string& data, const std::vector<FileRange>& ranges) {
    std::string s;
    for (const FileRange& r : ranges) s += data.substr(r.offset, r.length);
    return s;
}

std::vector<std::pair<uint64_t, uint64_t>> pairs(const std::vector<FileRange>& ranges) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const FileRange& r : ranges) out.emplace_back(r.offset, r.length);
    return out;
}

}  // namespace

TEST_CASE("MessagePlace is 40 bytes", "[unixmem]") {
    STATIC_REQUIRE(sizeof(MessagePlace) == 40);
}

TEST_CASE("MessagePlace round trip of offsets and visible ranges", "[unixmem]") {
    const std::string from = "From a@b Wed Dec  2 05:53:22 1992 +0000\n";
    struct { const char* what; std::string mbox; bool scattered; } cases[] = {
        {"no hidden lines", from + "Subject: a\n\nbody\n", false},
        {"hidden run before the blank line",
         from + "Subject: a\nStatus: RO\nX-Status: F\nX-Keywords: x\nX-UID: 4\n\nbody\n\n", false},
        {"hidden first", from + "Status: O\nSubject: a\n\nbody\n", false},
        {"hidden with continuation", from + "X-Keywords: a\n b\nSubject: a\n\nbody\n", false},
        {"two hidden runs", from + "Status: O\nSubject: a\nX-UID: 7\n\nbody\n", true},
        {"three runs, case and order",
         from + "x-uid: 3\nA: 1\nSTATUS: R\nB: 2\nX-Status: A\n\n>From me\nbody\n", true},
        {"no blank line, hidden at the end", from + "Subject: a\nStatus: O\n", false},
        {"no blank line, no trailing newline", from + "Subject: a\nStatus: O", false},
        {"no header at all", from + "\nbody only\n", false},
        {"only hidden lines, no body", from + "Status: O\nX-UID: 1\n", false},
        {"CRLF", from + "Subject: a\r\nStatus: RO\r\nTo: b\r\nX-UID: 2\r\n\r\nbody\r\n\r\n", true},
        {"X-IMAP pseudo and a >From body",
         from + "X-IMAP: 1 5\nSubject: x\n\n>From here\n\n" + from + "X-IMAPbase: 1 5\nStatus: O\nA: b\n\nt", false},
        {"empty header, body without newline", from + "\nno newline", false},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        bool bad = false;
        std::vector<ScannedMessage> ms = scan_bytes(c.mbox, &bad);
        REQUIRE_FALSE(bad);
        REQUIRE_FALSE(ms.empty());
        UniqueFd fd = file_with(c.mbox);
        bool any_scattered = false;
        for (size_t i = 0; i < ms.size(); ++i) {
            const ScannedMessage& m = ms[i];
            MessagePlace p = place_of(m, 3);
            CHECK(p.file == 3);
            CHECK(p.start == m.start);
            CHECK(p.header_at() == m.header);
            CHECK(p.blank_at() == m.blank);
            CHECK(p.body_at() == m.body);
            CHECK(p.end == m.end);
            any_scattered = any_scattered || p.scattered;
            std::vector<FileRange> v = visible_ranges(p, fd.get());
            CHECK(text_of(c.mbox, v) == text_of(c.mbox, m.visible));
            CHECK(pairs(v) == pairs(m.visible));
        }
        CHECK(any_scattered == c.scattered);
    }
}

TEST_CASE("A header of 4 GB does not fit a MessagePlace", "[unixmem]") {
    ScannedMessage m;
    m.start = 10;
    m.header = 50;
    m.blank = m.body = m.end = 10 + (uint64_t{1} << 32);
    CHECK_THROWS(place_of(m, 0));
    m.blank = m.body = 60;  // a 4 GB body fits
    m.end = m.body + (uint64_t{5} << 32);
    m.visible = {FileRange{50, m.end - 50}};
    MessagePlace p = place_of(m, 0);
    CHECK(p.end == m.end);
    CHECK(pairs(visible_ranges(p, -1)) == pairs(m.visible));
}
