// maildir DirState (drivers/maildir/dir_state.hpp): when new/ or cur/ is read
// again. Dovecot's rule: an unchanged stamp needs no scan, except once after
// a "dirty" second; our own changes keep the stamp only when nobody else
// changed the directory since our scan.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "drivers/maildir/dir_state.hpp"

using namespace mail::maildir;

namespace {

constexpr int64_t kSec = 1000000000;
constexpr int64_t kT = 1700000000 * kSec;  // a directory mtime

FileStamp stamp(int64_t mtime, off_t size = 4096) { return FileStamp{1, 2, size, mtime}; }

}  // namespace

TEST_CASE("maildir directory rescans: unchanged, changed, dirty once", "[perf2]") {
    struct Case {
        std::string what;
        int64_t scanned_at;   // clock at the scan of stamp(kT)
        FileStamp now_stamp;  // at the next sync
        int64_t now;          // clock at the next sync
        bool scan;
    };
    const std::vector<Case> cases = {
        {"old mtime, unchanged", kT + 5 * kSec, stamp(kT), kT + 6 * kSec, false},
        {"old mtime, mtime moved by a nanosecond", kT + 5 * kSec, stamp(kT + 1), kT + 6 * kSec, true},
        {"old mtime, only the size changed", kT + 5 * kSec, stamp(kT, 8192), kT + 6 * kSec, true},
        {"other inode (replaced)", kT + 5 * kSec, FileStamp{1, 3, 4096, kT}, kT + 6 * kSec, true},
        {"dirty, still within its second", kT + kSec / 10, stamp(kT), kT + kSec / 2, false},
        {"dirty, its second has passed", kT + kSec / 10, stamp(kT), kT + kSec, true},
        {"dirty and changed", kT + kSec / 10, stamp(kT + 5), kT + kSec / 5, true},
        {"missing directory", kT + 5 * kSec, FileStamp{}, kT + 6 * kSec, true},
    };
    for (const Case& c : cases) {
        SECTION(c.what) {
            DirState d;
            CHECK(d.needs_scan(stamp(kT), kT));  // never scanned
            d.scanned(stamp(kT), c.scanned_at);
            CHECK(d.needs_scan(c.now_stamp, c.now) == c.scan);
        }
    }
    SECTION("a dirty directory is read once, then it is clean") {
        DirState d;
        d.scanned(stamp(kT), kT + kSec / 10);
        CHECK(d.needs_scan(stamp(kT), kT + 2 * kSec));
        d.scanned(stamp(kT), kT + 2 * kSec);
        CHECK_FALSE(d.needs_scan(stamp(kT), kT + 3 * kSec));
    }
}

TEST_CASE("maildir own changes keep the stamp only when nobody else changed the directory", "[perf2]") {
    DirState d;
    d.scanned(stamp(kT), kT + 5 * kSec);
    SECTION("unchanged since the scan: the new stamp is ours, dirty for one more look") {
        REQUIRE(d.unchanged_since_scan(stamp(kT)));
        d.own_change(stamp(kT + 6 * kSec));
        CHECK_FALSE(d.needs_scan(stamp(kT + 6 * kSec), kT + 6 * kSec + kSec / 2));
        CHECK(d.needs_scan(stamp(kT + 6 * kSec), kT + 7 * kSec));  // a same-tick foreign change is seen
        CHECK(d.needs_scan(stamp(kT + 6 * kSec + 1), kT + 6 * kSec + kSec / 2));
    }
    SECTION("another process changed it first: not ours to absorb") {
        CHECK_FALSE(d.unchanged_since_scan(stamp(kT + 1)));
        d.forget();
        CHECK(d.needs_scan(stamp(kT), kT + 6 * kSec));
    }
    SECTION("never scanned: nothing to absorb") {
        DirState fresh;
        CHECK_FALSE(fresh.unchanged_since_scan(stamp(kT)));
    }
}
