// The sent-date side file (cache/sent_date_format, sent_date_file) and how
// CacheFile uses it: a lookup of the sent date alone is answered from it
// without the cache file, records prove their message, and damaged,
// foreign or torn files are ignored and rebuilt.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cache/cache_file.hpp"
#include "cache/sent_date_file.hpp"
#include "cache/sent_date_format.hpp"

using namespace mail;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/sortdates_test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

CachedFields dated(int64_t sent) {
    CachedFields f;
    f.envelope = "(\"env\")";
    f.sent_date = sent;
    return f;
}

}  // namespace

TEST_CASE("sent-date header: this version and UIDVALIDITY only", "[sortdates]") {
    std::string header = encode_sent_date_header(7);
    CHECK(header.size() == kSentDateHeaderSize);
    CHECK(sent_date_header_matches(header, 7));
    CHECK_FALSE(sent_date_header_matches(header, 8));
    CHECK_FALSE(sent_date_header_matches(header.substr(0, 15), 7));
    for (size_t i = 0; i < header.size(); ++i) {
        std::string bad = header;
        bad[i] ^= 0x01;
        CHECK_FALSE(sent_date_header_matches(bad, 7));
    }
}

TEST_CASE("a sent-date record proves only its own message", "[sortdates]") {
    const MessageKey key{5, 1234, 1700000000};
    std::string bytes = encode_sent_date_record(7, key, 1699999999);
    REQUIRE(bytes.size() == kSentDateRecordSize);
    auto records = decode_sent_date_records(bytes);
    REQUIRE(records.size() == 1);
    CHECK(proven_sent_date(records[0], 7, key) == 1699999999);
    struct Case {
        Uid uidvalidity;
        MessageKey key;
    };
    const Case others[] = {
        {8, key},                                  // another UIDVALIDITY
        {7, {6, 1234, 1700000000}},                // another UID
        {7, {5, 1235, 1700000000}},                // another size
        {7, {5, 1234, 1700000001}},                // another internal date
    };
    for (const Case& c : others) CHECK_FALSE(proven_sent_date(records[0], c.uidvalidity, c.key));
    for (size_t i = 0; i < bytes.size(); ++i) {  // any damaged byte
        std::string bad = bytes;
        bad[i] ^= 0x10;
        CHECK_FALSE(proven_sent_date(decode_sent_date_records(bad)[0], 7, key));
    }
    // kNoSentDate is a value like any other; a torn last record is left out.
    std::string two = bytes + encode_sent_date_record(7, {6, 1, 2}, kNoSentDate);
    CHECK(decode_sent_date_records(two).size() == 2);
    CHECK(proven_sent_date(decode_sent_date_records(two)[1], 7, {6, 1, 2}) == kNoSentDate);
    CHECK(decode_sent_date_records(two.substr(0, 31)).size() == 1);
}

TEST_CASE("SORT's date lookups come from the sent-date file, not the cache file", "[sortdates]") {
    TempDir dir;
    const std::string cache = dir.path + "/box.cache", dates = SentDateFile::path_beside(cache);
    {
        CacheFile file(cache, 3);
        file.add({1, 10, 20}, dated(1000));
        file.add({2, 11, 21}, dated(kNoSentDate));
    }
    CHECK(slurp(dates).size() == kSentDateHeaderSize + 2 * kSentDateRecordSize);
    // The cache file gone: the date alone still answers, other fields do not.
    std::filesystem::remove(cache);
    CacheFile file(cache, 3);
    CHECK(file.lookup({1, 10, 20}, kCacheSentDate).sent_date == 1000);
    CHECK(file.lookup({2, 11, 21}, kCacheSentDate).sent_date == kNoSentDate);
    CHECK_FALSE(file.lookup({1, 10, 20}, kCacheSentDate | kCacheEnvelope).envelope);
    CHECK(file.record_count() == 0);
    // A different message under UID 1 (size, internal date) is a miss.
    CHECK_FALSE(file.lookup({1, 99, 20}, kCacheSentDate).sent_date);
    CHECK_FALSE(file.lookup({1, 10, 21}, kCacheSentDate).sent_date);
}

TEST_CASE("a warm cache without a sent-date file fills one at the first date lookup", "[sortdates]") {
    TempDir dir;
    const std::string cache = dir.path + "/box.cache", dates = SentDateFile::path_beside(cache);
    {
        CacheFile file(cache, 3);
        for (Uid uid = 1; uid <= 5; ++uid) file.add({uid, uid, uid}, dated(100 * uid));
    }
    std::filesystem::remove(dates);  // as a cache written before the file existed
    {
        CacheFile file(cache, 3);
        for (Uid uid = 1; uid <= 5; ++uid) CHECK(file.lookup({uid, uid, uid}, kCacheSentDate).sent_date == 100 * uid);
    }
    REQUIRE(std::filesystem::exists(dates));
    std::filesystem::remove(cache);
    CacheFile file(cache, 3);
    for (Uid uid = 1; uid <= 5; ++uid) CHECK(file.lookup({uid, uid, uid}, kCacheSentDate).sent_date == 100 * uid);
}

TEST_CASE("foreign, damaged and torn sent-date files are ignored and rebuilt", "[sortdates]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache-sent";
    const std::string good = encode_sent_date_record(3, {1, 10, 20}, 1000);
    struct Case {
        const char* what;
        std::string bytes;
        bool keeps_uid1;  // the first record survives the rebuild
    };
    const Case cases[] = {
        {"other UIDVALIDITY", encode_sent_date_header(4) + encode_sent_date_record(4, {1, 10, 20}, 1000), false},
        {"garbage", std::string(40, 'x'), false},
        {"empty", "", false},
        {"torn last record", encode_sent_date_header(3) + good + good.substr(0, 9), true},
        {"damaged record", encode_sent_date_header(3) + good.substr(0, 5) + "\x7f" + good.substr(6), false},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        spit(path, c.bytes);
        {
            SentDateFile file(path, 3);
            CHECK(file.lookup({1, 10, 20}).has_value() == c.keeps_uid1);
            file.add({2, 11, 21}, 2000);
        }
        std::string after = slurp(path);
        CHECK(after.size() % kSentDateRecordSize == 0);
        CHECK(sent_date_header_matches(after, 3));
        SentDateFile again(path, 3);
        CHECK(again.lookup({2, 11, 21}) == 2000);
        CHECK(again.lookup({1, 10, 20}).has_value() == c.keeps_uid1);
    }
}

TEST_CASE("a sent-date file of repeated records is compacted to the last of each UID", "[sortdates]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache-sent";
    std::string bytes = encode_sent_date_header(3);
    for (int round = 0; round < 4; ++round)  // 4,000 records of 1,000 UIDs: past the limit
        for (Uid uid = 1; uid <= 1000; ++uid) bytes += encode_sent_date_record(3, {uid, 1, 2}, round);
    spit(path, bytes);
    {
        SentDateFile file(path, 3);
        CHECK(file.lookup({7, 1, 2}) == 3);
        file.flush();
    }
    CHECK(slurp(path).size() == kSentDateHeaderSize + 1000 * kSentDateRecordSize);
    SentDateFile again(path, 3);
    for (Uid uid = 1; uid <= 1000; ++uid) CHECK(again.lookup({uid, 1, 2}) == 3);
}
