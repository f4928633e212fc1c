// The maildir driver's compact per-message structures and open path
// (issue 10): MessageFiles' arena, one-pass expunge, the internal-date file.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "drivers/maildir/message_files.hpp"

using mail::maildir::MessageFiles;

TEST_CASE("MessageFiles keeps names and bases in one arena", "[maildir-perf]") {
    struct Case {
        std::string name;
        bool in_new;
        std::string base;
    };
    const std::vector<Case> cases = {
        {"1700000000.M1P2.host,S=10,W=12:2,S", false, "1700000000.M1P2.host,S=10,W=12"},
        {"1700000001.M2P2.host", true, "1700000001.M2P2.host"},
        {"a:2,", false, "a"},
        {":2,F", false, ""},
        {std::string(255, 'x'), false, std::string(255, 'x')},
    };
    MessageFiles files;
    for (const Case& c : cases) files.push_back(c.name, c.in_new);
    REQUIRE(files.size() == cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        CHECK(files.name(i) == cases[i].name);
        CHECK(files.base(i) == cases[i].base);
        CHECK(files.in_new(i) == cases[i].in_new);
        CHECK_FALSE(files.vanished(i));
        CHECK_FALSE(files.relocated(i));
    }
    CHECK_THROWS(files.push_back(std::string(256, 'y'), false));
}

TEST_CASE("MessageFiles renames, flags and erases", "[maildir-perf]") {
    MessageFiles files;
    for (int i = 0; i < 10; ++i) files.push_back("m" + std::to_string(i) + ":2,", i % 2 == 0);
    files.set_name(3, "m3:2,FS", false);
    files.set_vanished(4, true);
    files.set_relocated(5, true);
    CHECK(files.name(3) == "m3:2,FS");
    CHECK(files.base(3) == "m3");
    CHECK(files.vanished(4));
    CHECK_FALSE(files.vanished(5));
    CHECK(files.relocated(5));
    files.set_relocated(5, false);
    CHECK_FALSE(files.relocated(5));

    std::vector<bool> remove(10, false);
    remove[0] = remove[4] = remove[9] = true;
    files.erase_marked(remove);
    const std::vector<std::string> expected = {"m1:2,", "m2:2,", "m3:2,FS", "m5:2,", "m6:2,", "m7:2,", "m8:2,"};
    REQUIRE(files.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) CHECK(files.name(i) == expected[i]);
    CHECK(files.in_new(1));   // m2
    CHECK_FALSE(files.in_new(2));  // m3, renamed into cur/
    files.erase(0);
    CHECK(files.name(0) == "m2:2,");
}

TEST_CASE("MessageFiles reclaims the bytes of old names", "[maildir-perf]") {
    MessageFiles files;
    const std::string base(40, 'b');
    for (int i = 0; i < 100; ++i) files.push_back(base + std::to_string(i) + ":2,", false);
    // Many renames (STORE 1:* over and over) must not grow the arena without bound.
    for (int round = 0; round < 50; ++round)
        for (size_t i = 0; i < files.size(); ++i)
            files.set_name(i, base + std::to_string(i) + (round % 2 ? ":2,S" : ":2,F"), false);
    for (size_t i = 0; i < files.size(); ++i) CHECK(files.name(i) == base + std::to_string(i) + ":2,S");
    CHECK(files.memory_bytes() < 100 * 46 * 5);  // live names 4.6 kB; without reclaiming, 230 kB
    CHECK(files.garbage_bytes() <= files.memory_bytes());
}
