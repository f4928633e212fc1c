#include <catch2/catch.hpp>

#include "drivers/mbx/format.hpp"

using namespace mail;
using namespace mail::mbx;

TEST_CASE("mbx: message line parse and format round trip", "[mbx]") {
    struct Case {
        const char* text;
        LineStatus status;
        uint64_t size;
        uint32_t keywords, flags;
        Uid uid;
    } cases[] = {
        {" 1-Jan-2001 00:00:00 +0000,23;000000000005-00000000\r\n", LineStatus::Ok, 23, 0, 5, 0},
        {"17-Mar-2020 10:11:12 -0500,1500000000;000000038019-0000002a\r\nX", LineStatus::Ok, 1500000000, 3, 0x8019, 42},
        {" 1-Jan-2001 00:00:00 +0000,23;00000000000", LineStatus::Incomplete, 0, 0, 0, 0},
        {" 1-Jan-2001 00:00:00 +0000,23;000000000000-0000000\r\n", LineStatus::Malformed, 0, 0, 0, 0},
        {" 1-Jan-2001 00:00:00 +0000,;000000000000-00000000\r\n", LineStatus::Malformed, 0, 0, 0, 0},
        {" 1-Jan-2001 00:00:00 +0000,2x;000000000000-00000000\r\n", LineStatus::Malformed, 0, 0, 0, 0},
        {"not a date,23;000000000000-00000000\r\n", LineStatus::Malformed, 0, 0, 0, 0},
        {" 1-Jan-2001 00:00:00 +0000,23;00000000000g-00000000\r\n", LineStatus::Malformed, 0, 0, 0, 0},
        {" 1-Jan-2001 00:00:00 +0000,23;000000000000-00000000\n\n", LineStatus::Malformed, 0, 0, 0, 0},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        MessageLine m;
        REQUIRE(parse_message_line(c.text, m) == c.status);
        if (c.status != LineStatus::Ok) continue;
        CHECK(m.size == c.size);
        CHECK(m.keywords == c.keywords);
        CHECK(m.flags == c.flags);
        CHECK(m.uid == c.uid);
        std::string line(c.text);
        line = line.substr(0, line.find("\r\n") + 2);
        CHECK(m.length == line.size());
        CHECK(format_message_line(m) == line);
    }
}

TEST_CASE("mbx: header as mbx_create and mbx_update_header write it", "[mbx]") {
    std::string fresh = format_new_header(0x5f000000);
    REQUIRE(fresh.size() == kHeaderSize);
    CHECK(fresh.substr(0, 25) == "*mbx*\r\n5f00000000000000\r\n");
    std::string empty_lines;
    for (int i = 0; i < 30; ++i) empty_lines += "\r\n";
    CHECK(fresh.substr(25, 60) == empty_lines);
    CHECK(fresh.substr(85) == std::string(kHeaderSize - 85, '\0'));
    CHECK(fresh[kHeaderSize - 1] == '\0');
    auto h = parse_header(fresh);
    REQUIRE(h);
    CHECK(h->uidvalidity == 0x5f000000);
    CHECK(h->last_uid == 0);
    CHECK(h->keywords.empty());
    CHECK(h->last_pid == 0);

    h->last_uid = 0x1234;
    h->keywords = {"work", "$Junk"};
    h->last_pid = 4242;
    std::string written = format_header(*h);
    REQUIRE(written.size() == kHeaderSize);
    CHECK(written.substr(0, 38) == "*mbx*\r\n5f00000000001234\r\nwork\r\n$Junk\r\n");
    CHECK(written.substr(kHeaderSize - 10) == "00001092\r\n");
    auto back = parse_header(written);
    REQUIRE(back);
    CHECK(back->keywords == h->keywords);
    CHECK(back->last_pid == 4242);
    CHECK(back->last_uid == 0x1234);

    CHECK_FALSE(parse_header("*mbx*\r\n5f0000000000000\r\n"));
    CHECK_FALSE(parse_header(std::string("*mbX*\r\n5f00000000000000\r\n") + std::string(2023, '\0')));
    CHECK_FALSE(looks_like_mbx("From a@b Mon Jan  1 00:00:00 2001\n"));
}

TEST_CASE("mbx: UW flag bits", "[mbx]") {
    struct {
        uint32_t uw, flags;
    } cases[] = {
        {fSEEN, kSeen}, {fDELETED, kDeleted}, {fFLAGGED, kFlagged}, {fANSWERED, kAnswered},
        {fDRAFT, kDraft}, {fSEEN | fDRAFT | fANSWERED, kSeen | kDraft | kAnswered}, {0, 0},
    };
    for (const auto& c : cases) {
        CHECK(system_flags_from_uw(c.uw) == c.flags);
        CHECK(uw_from_system_flags(c.flags) == c.uw);
    }
    CHECK(system_flags_from_uw(fOLD | fEXPUNGED) == 0);
    uint32_t kw = 0, fl = 0;
    CHECK(parse_status(";0000000a8011-", kw, fl));
    CHECK(kw == 10);
    CHECK(fl == (fEXPUNGED | fOLD | fSEEN));
    CHECK_FALSE(parse_status(":0000000a8011-", kw, fl));
    CHECK(format_status(3, fOLD | fSEEN, 0x2a) == "000000030011-0000002a");
}
