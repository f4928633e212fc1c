// The maildir driver's compact per-message structures and open path
// (issue 10): MessageFiles' arena, one-pass expunge, the internal-date file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drivers/maildir/dates.hpp"
#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "drivers/maildir/message_files.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

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

TEST_CASE("imapd-dates round trip and rejected files", "[maildir-perf]") {
    const std::vector<DateRecord> records = {{1, 1000000000}, {7, -5}, {4000000000u, 1700000000123}};
    const std::string text = format_dates(42, records);
    CHECK(parse_dates(text, 42) == std::optional(records));
    CHECK(parse_dates(format_dates(42, {}), 42) == std::optional(std::vector<DateRecord>{}));
    struct Case {
        std::string text;
        const char* why;
    };
    const std::vector<Case> bad = {
        {"", "empty"},
        {text.substr(0, text.size() - 1), "torn last record"},
        {"imapd-dates 2 42\n", "other version"},
        {"imapd-dates 1 \n", "no uidvalidity"},
        {"imapd-dates 1 42", "no newline"},
        {"imapd-dates 1 42x\n", "junk after uidvalidity"},
        {format_dates(42, {{5, 1}, {5, 2}}), "UIDs not ascending"},
        {format_dates(42, {{0, 1}}), "UID 0"},
    };
    for (const Case& c : bad) {
        INFO(c.why);
        CHECK_FALSE(parse_dates(c.text, 42));
    }
    CHECK_FALSE(parse_dates(text, 43));  // another UIDVALIDITY: the UIDs are not these messages
    CHECK(find_date(records, 7) == std::optional<int64_t>(-5));
    CHECK(find_date(records, 4000000000u) == std::optional<int64_t>(1700000000123));
    CHECK_FALSE(find_date(records, 2));
    CHECK_FALSE(find_date({}, 1));
}

namespace {

struct DatesMaildir {
    fs::path path;
    DatesMaildir() {
        char tmpl[] = "/tmp/maildir-perf-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~DatesMaildir() { fs::remove_all(path); }
    // A delivered file in new/ whose mtime is `mtime`.
    void deliver(const std::string& name, int64_t mtime) {
        fs::path file = path / "new" / name;
        std::ofstream(file) << "Subject: " << name << "\n\nbody\n";
        struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
        ::utimensat(AT_FDCWD, file.c_str(), times, 0);
    }
    void set_mtime_in_cur(int64_t mtime) {
        for (const char* sub : {"new", "cur"})  // read-only opens leave new mail in new/
            for (const auto& e : fs::directory_iterator(path / sub)) {
                struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
                ::utimensat(AT_FDCWD, e.path().c_str(), times, 0);
            }
    }
};

std::vector<int64_t> dates_of(const std::string& path) {
    MaildirMailbox box(path, OpenMode::ReadOnly);
    std::vector<int64_t> out;
    for (size_t i = 0; i < box.count(); ++i) out.push_back(box.dated(i).internal_date);
    return out;
}

}  // namespace

TEST_CASE("maildir open takes internal dates from imapd-dates, stats only new files", "[maildir-perf]") {
    DatesMaildir m;
    m.deliver("1000.M1P1.host,S=20", 1000000001);
    m.deliver("1001.M2P1.host,S=20", 1000000002);
    CHECK(dates_of(m.path.string()) == std::vector<int64_t>{1000000001, 1000000002});
    REQUIRE(fs::exists(m.path / kDatesFileName));

    // The file, not the mtime, answers now (as Dovecot's cache does): proof
    // that the open did not stat the files it knew.
    m.set_mtime_in_cur(1500000000);
    m.deliver("1002.M3P1.host,S=20", 1000000003);
    CHECK(dates_of(m.path.string()) == std::vector<int64_t>{1000000001, 1000000002, 1000000003});

    // Damaged or removed: derived data, rebuilt from the files' mtimes.
    std::ofstream(m.path / kDatesFileName) << "imapd-dates 1 1\nxyz";
    CHECK(dates_of(m.path.string()) == std::vector<int64_t>{1500000000, 1500000000, 1000000003});
    fs::remove(m.path / kDatesFileName);
    m.set_mtime_in_cur(1600000000);
    CHECK(dates_of(m.path.string()) == std::vector<int64_t>{1600000000, 1600000000, 1600000000});
    CHECK(dates_of(m.path.string()) == std::vector<int64_t>{1600000000, 1600000000, 1600000000});
}

TEST_CASE("maildir expunge in one pass reports sequence numbers as they shift", "[maildir-perf]") {
    DatesMaildir m;
    for (int i = 0; i < 6; ++i) m.deliver("100" + std::to_string(i) + ".M" + std::to_string(i) + "P1.host", 1000000000 + i);
    MaildirMailbox box(m.path.string(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 6);
    for (size_t i : {0u, 2u, 3u, 5u}) box.set_flags(i, kDeleted, 0);
    box.flush();
    struct Sink : EventSink {
        std::vector<size_t> seqs;
        void expunged(size_t seq) override { seqs.push_back(seq); }
        void exists(size_t) override {}
        void flags_changed(size_t) override {}
    } sink;
    box.expunge(sink);
    CHECK(sink.seqs == std::vector<size_t>{1, 2, 2, 3});
    REQUIRE(box.count() == 2);
    CHECK(box.at(0).uid == 2);
    CHECK(box.at(1).uid == 5);
    MaildirMailbox again(m.path.string(), OpenMode::ReadOnly);
    REQUIRE(again.count() == 2);
    CHECK(again.at(0).uid == 2);
    CHECK(again.dated(1).internal_date == 1000000004);
}
