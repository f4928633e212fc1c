// Issue 10, first SELECT of a maildir: an open reads no message's internal
// date (no stat a file); Mailbox::dated() stats on demand, and every reader
// (SEARCH dates, SORT's sent-date fallback, COPY) gets the file's mtime.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "drivers/maildir/dates.hpp"
#include "drivers/maildir/driver.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "mailbox/copy.hpp"
#include "search/search.hpp"
#include "sort/sort.hpp"
#include "sort/sort_keys.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::maildir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kBase = 1000000000;

struct LazyMaildir {
    fs::path path;
    LazyMaildir() {
        char tmpl[] = "/tmp/maildir-lazy-XXXXXX";
        path = ::mkdtemp(tmpl);
        MaildirDriver().create(path.string());
    }
    ~LazyMaildir() { fs::remove_all(path); }
    void deliver(const std::string& name, int64_t mtime) {
        fs::path file = path / "new" / name;
        std::ofstream(file) << "Subject: " << name << "\n\nbody\n";  // no Date: SORT falls back
        set_mtime(file, mtime);
    }
    static void set_mtime(const fs::path& file, int64_t mtime) {
        struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
        ::utimensat(AT_FDCWD, file.c_str(), times, 0);
    }
    void set_mtimes_in_cur(int64_t mtime) {
        // An EXAMINE leaves new mail in new/, as Dovecot's does.
        for (const char* sub : {"new", "cur"})
            for (const auto& e : fs::directory_iterator(path / sub)) set_mtime(e.path(), mtime);
    }
};

int32_t local_zone(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    ::localtime_r(&tt, &tm);
    return static_cast<int32_t>(tm.tm_gmtoff / 60);
}

}  // namespace

TEST_CASE("a maildir open stats no message file; dated() does, once", "[firstopen]") {
    LazyMaildir m;
    m.deliver("1000.M1P1.host", kBase + 1);
    m.deliver("1001.M2P1.host", kBase + 2);
    { MaildirMailbox first(m.path.string(), OpenMode::ReadWrite); }  // UIDs, moves to cur/; reads no date
    CHECK_FALSE(fs::exists(m.path / kDatesFileName));  // nothing was dated: nothing to keep

    MaildirMailbox box(m.path.string(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 2);
    for (size_t i = 0; i < box.count(); ++i) CHECK(box.at(i).internal_date == kUnknownDate);
    CHECK(box.cache_key_date(0) == 0);  // a cache lookup needs no date
    // Changed after the open: an open that had stat'ed would answer kBase + 1.
    m.set_mtimes_in_cur(kBase + 5 * kDay);
    CHECK(box.dated(0).internal_date == kBase + 5 * kDay);
    CHECK(box.dated(0).zone_minutes == local_zone(kBase + 5 * kDay));
    // Remembered, not read again.
    m.set_mtimes_in_cur(kBase + 9 * kDay);
    CHECK(box.dated(0).internal_date == kBase + 5 * kDay);
    CHECK(box.dated(1).internal_date == kBase + 9 * kDay);
}

TEST_CASE("dates read on demand are kept in imapd-dates for the next open", "[firstopen]") {
    LazyMaildir m;
    m.deliver("1000.M1P1.host", kBase + 1);
    m.deliver("1001.M2P1.host", kBase + 2);
    m.deliver("1002.M3P1.host", kBase + 3);
    {
        MaildirMailbox box(m.path.string(), OpenMode::ReadOnly);
        box.dated(0), box.dated(2);
    }
    REQUIRE(fs::exists(m.path / kDatesFileName));
    m.set_mtimes_in_cur(kBase + 7);
    MaildirMailbox again(m.path.string(), OpenMode::ReadOnly);
    REQUIRE(again.count() == 3);
    CHECK(again.at(0).internal_date == kBase + 1);  // from the file, as Dovecot's cache answers
    CHECK(again.at(1).internal_date == kUnknownDate);
    CHECK(again.at(2).internal_date == kBase + 3);
    CHECK(again.dated(1).internal_date == kBase + 7);
}

TEST_CASE("SEARCH dates, SORT ARRIVAL and DATE, COPY after a lazy open", "[firstopen]") {
    LazyMaildir m;
    const std::vector<int64_t> mtimes = {kBase + 6 * kDay, kBase, kBase + 3 * kDay};
    for (size_t i = 0; i < mtimes.size(); ++i)
        m.deliver("100" + std::to_string(i) + ".M" + std::to_string(i) + "P1.host", mtimes[i]);
    MaildirMailbox box(m.path.string(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 3);

    using K = SearchKey::Kind;
    struct Case {
        K kind;
        int64_t date_or_age;
        std::vector<size_t> expected;
    };
    const int64_t now = kBase + 10 * kDay;
    const std::vector<Case> cases = {
        {K::Since, kBase / kDay + 2, {0, 2}},
        {K::Before, kBase / kDay + 2, {1}},
        {K::On, (kBase + 6 * kDay + local_zone(kBase + 6 * kDay) * 60) / kDay, {0}},
        {K::Younger, 5 * kDay, {0}},   // within 5 days of now
        {K::Older, 5 * kDay, {1, 2}},
    };
    for (const Case& c : cases) {
        SearchKey key;
        key.kind = c.kind;
        if (c.kind == K::Younger || c.kind == K::Older) key.number = static_cast<uint64_t>(c.date_or_age);
        else key.date = c.date_or_age;
        SearchOptions options;
        options.now = now;
        INFO(static_cast<int>(c.kind));
        CHECK(search(box, key, options) == c.expected);
    }

    // SORT ARRIVAL on dated infos (imapd's sort.cpp builds them so).
    std::vector<SortItem> items;
    for (size_t i = 0; i < box.count(); ++i) items.push_back({i, &box.dated(i), nullptr});
    CHECK(sort_messages(items, {{SortKey::Arrival, false}}) == std::vector<size_t>{1, 2, 0});

    // SORT DATE without Date: the internal date, by both of SortKeyCache's paths.
    MaildirMailbox fresh(m.path.string(), OpenMode::ReadOnly);
    for (unsigned parts : {unsigned{kSortSent}, unsigned{kSortAllParts}}) {
        SortKeyCache cache;
        auto keys = cache.keys(fresh, {0, 1, 2}, nullptr, parts);
        REQUIRE(keys.size() == 3);
        for (size_t i = 0; i < 3; ++i) CHECK(keys[i]->sent == mtimes[i]);
    }

    // COPY carries the date.
    MaildirMailbox other(m.path.string(), OpenMode::ReadOnly);
    CHECK(copy_request(other, 2).internal_date == mtimes[2]);
}

TEST_CASE("dated() of a file removed by another program is NotFound", "[firstopen]") {
    LazyMaildir m;
    m.deliver("1000.M1P1.host", kBase);
    MaildirMailbox box(m.path.string(), OpenMode::ReadOnly);
    REQUIRE(box.count() == 1);
    for (const char* sub : {"new", "cur"})
        for (const auto& e : fs::directory_iterator(m.path / sub)) fs::remove(e.path());
    try {
        box.dated(0);
        FAIL("no exception");
    } catch (const MailError& e) {
        CHECK(e.kind() == ErrorKind::NotFound);
    }
    SearchKey since;
    since.kind = SearchKey::Kind::Since;
    CHECK(search(box, since).empty());
}
