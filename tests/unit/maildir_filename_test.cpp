#include <catch2/catch.hpp>

#include "drivers/maildir/filename.hpp"
#include "mailbox/types.hpp"

using namespace mail;
using namespace mail::maildir;

TEST_CASE("maildir file names are parsed", "[maildir]") {
    struct Case {
        const char* name;
        const char* base;
        std::optional<uint64_t> size, vsize;
        uint32_t flags, letters;
        const char* other;
    };
    const Case cases[] = {
        {"1795645584.M833692P8694.vm,S=18,W=21:2,FSab", "1795645584.M833692P8694.vm,S=18,W=21", 18, 21,
         kFlagged | kSeen, 0b11, ""},
        {"12345.abc.host:2,", "12345.abc.host", std::nullopt, std::nullopt, 0, 0, ""},
        {"12345.abc.host", "12345.abc.host", std::nullopt, std::nullopt, 0, 0, ""},
        {"x,S=5:2,DFPRSTz", "x,S=5", 5, std::nullopt, kDraft | kFlagged | kAnswered | kSeen | kDeleted,
         1u << 25, "P"},
        {"x,W=abc,S=7:2,S", "x,W=abc,S=7", 7, std::nullopt, kSeen, 0, ""},
        {"x:1,S", "x", std::nullopt, std::nullopt, 0, 0, ""},  // not the ":2," info
    };
    for (const auto& c : cases) {
        INFO(c.name);
        FileName f = parse_file_name(c.name);
        CHECK(f.base == c.base);
        CHECK(f.size == c.size);
        CHECK(f.vsize == c.vsize);
        CHECK(f.flags == c.flags);
        CHECK(f.keyword_letters == c.letters);
        CHECK(f.other == c.other);
    }
}

TEST_CASE("maildir file names are written in ASCII flag order", "[maildir]") {
    CHECK(file_name("b", kSeen | kFlagged, 0b11, "") == "b:2,FSab");
    CHECK(file_name("b", 0, 0, "") == "b:2,");
    CHECK(file_name("b", kDeleted | kDraft | kAnswered, 1u << 2, "P") == "b:2,DPRTc");
    CHECK(unique_base(100, 5, 42, 0, "host", 10, 12) == "100.M5P42.host,S=10,W=12");
    CHECK(unique_base(100, 5, 42, 3, "a/b:c", 1, 1) == "100.M5P42Q3.a\\057b\\072c,S=1,W=1");
}
