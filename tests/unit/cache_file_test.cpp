// The on-disk cache of parsed message data: its record format, and the file
// shared by sessions that is rebuilt when missing, foreign or damaged.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cache/cache_file.hpp"
#include "cache/cache_format.hpp"
#include "cache/message_cache.hpp"

using namespace mail;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/cache_test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

CachedFields envelope_only(std::string e) {
    CachedFields f;
    f.envelope = std::move(e);
    return f;
}

}  // namespace

TEST_CASE("cache records round-trip every field", "[cache]") {
    CachedFields all;
    all.envelope = "(\"date\" \"subj\" NIL NIL NIL NIL NIL NIL NIL NIL)";
    all.body = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1)";
    all.bodystructure = std::string("binary\0bytes", 12);
    all.sent_date = -5;
    all.header_fields = "Subject: x\r\n";
    CachedFields none_date;
    none_date.sent_date = kNoSentDate;
    struct Case {
        MessageKey key;
        CachedFields fields;
    } cases[] = {
        {{1, 100, 1700000000}, all},
        {{0xffffffffu, 0, -1}, CachedFields{}},
        {{7, 1ull << 40, 0}, none_date},
        {{3, 5, 6}, envelope_only("")},
    };
    for (const auto& c : cases) {
        std::string bytes = encode_cache_record(c.key, c.fields);
        auto decoded = decode_cache_record(bytes);
        REQUIRE(decoded);
        CHECK(decoded->key == c.key);
        CHECK(decoded->fields == c.fields);
        CacheScan scan = scan_cache_records(bytes, 24);
        REQUIRE(scan.records.size() == 1);
        CHECK(scan.records[0].uid == c.key.uid);
        CHECK(scan.records[0].offset == 24);
        CHECK(scan.end == 24 + bytes.size());
        CHECK_FALSE(scan.damaged);
    }
}

TEST_CASE("cache scan stops at damage and at a record being written", "[cache]") {
    std::string a = encode_cache_record({1, 10, 20}, envelope_only("A"));
    std::string b = encode_cache_record({2, 10, 20}, envelope_only("B"));
    std::string flipped = b;
    flipped[flipped.size() - 1] ^= 1;
    struct Case {
        std::string bytes;
        size_t records;
        bool damaged;
    } cases[] = {
        {a + b, 2, false},
        {a + b.substr(0, b.size() - 1), 1, false},  // cut short: maybe being written
        {a + b.substr(0, 3), 1, false},
        {a + flipped, 1, false},                     // bad sum at the end: maybe being written
        {a + flipped + a, 1, true},                  // bad sum with more after: damage
        {a + std::string(8, '\xff') + a, 1, true},   // absurd length
        {"", 0, false},
    };
    for (const auto& c : cases) {
        CacheScan scan = scan_cache_records(c.bytes, 0);
        CHECK(scan.records.size() == c.records);
        CHECK(scan.damaged == c.damaged);
        CHECK(scan.end == (c.records ? a.size() * (c.records == 2 ? 1 : 1) + (c.records == 2 ? b.size() : 0) : 0));
    }
    CHECK_FALSE(decode_cache_record(flipped));
    CHECK_FALSE(decode_cache_record(a.substr(0, a.size() - 1)));
}

TEST_CASE("cache header is checked for version and UIDVALIDITY", "[cache]") {
    std::string h = encode_cache_header(42);
    CHECK(h.size() == kCacheHeaderSize);
    CHECK(cache_header_matches(h, 42));
    CHECK_FALSE(cache_header_matches(h, 43));
    CHECK_FALSE(cache_header_matches(h.substr(0, 23), 42));
    std::string bad = h;
    bad[8] = static_cast<char>(kCacheVersion + 1);  // another version
    CHECK_FALSE(cache_header_matches(bad, 42));
}

TEST_CASE("cached header fields are the ones SEARCH and SORT read, unfolded", "[cache]") {
    struct Case {
        std::string header, expected;
    } cases[] = {
        {"From: a@b\r\nX-Spam: yes\r\nSubject: hi\r\n there\r\n\r\n", "From: a@b\r\nSubject: hi there\r\n"},
        {"message-id: <x@y>\nreferences: <a> <b>\n\n", "message-id: <x@y>\r\nreferences: <a> <b>\r\n"},
        {"Received: x\r\n\r\n", ""},
    };
    for (const auto& c : cases) CHECK(select_cached_header_fields(c.header) == c.expected);
}

TEST_CASE("cache file is shared, keyed by message, and rebuilt when foreign or damaged", "[cache]") {
    TempDir dir;
    const std::string path = dir.path + "/.imapd/box.cache";
    const MessageKey k1{1, 100, 1000}, k2{2, 200, 2000};
    {
        CacheFile writer(path, 7);
        CHECK(writer.lookup(k1).empty());  // missing file: a miss, not an error
        writer.add(k1, envelope_only("E1"));
        CachedFields bs;
        bs.bodystructure = "BS1";
        bs.body = "B1";
        writer.add(k1, bs);
        writer.add(k2, envelope_only("E2"));
    }  // flushed
    {
        CacheFile reader(path, 7);
        CachedFields f = reader.lookup(k1);
        CHECK(f.envelope == "E1");
        CHECK(f.bodystructure == "BS1");
        CHECK(reader.lookup(k2).envelope == "E2");
        CHECK(reader.lookup(MessageKey{1, 101, 1000}).empty());  // another message under UID 1
        CHECK(reader.lookup(MessageKey{3, 1, 1}).empty());
        // Another session's records are found after they are written.
        CacheFile other(path, 7);
        other.add(MessageKey{3, 1, 1}, envelope_only("E3"));
        other.flush();
        CHECK(reader.lookup(MessageKey{3, 1, 1}).envelope == "E3");
    }
    {
        CacheFile foreign(path, 8);  // UIDVALIDITY changed: nothing trusted
        CHECK(foreign.lookup(k1).empty());
        foreign.add(k1, envelope_only("new"));
    }
    CHECK(cache_header_matches(slurp(path), 8));
    CHECK(CacheFile(path, 8).lookup(k1).envelope == "new");
    {
        // Garbage in the middle: the good records before it are kept, the file rebuilt.
        std::string bytes = slurp(path) + std::string(16, '\x7f') + encode_cache_record(k2, envelope_only("lost"));
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        CacheFile damaged(path, 8);
        CHECK(damaged.lookup(k1).envelope == "new");
        CHECK(damaged.lookup(k2).empty());
        damaged.add(k2, envelope_only("E2b"));
    }
    CacheFile after(path, 8);
    CHECK(after.lookup(k1).envelope == "new");
    CHECK(after.lookup(k2).envelope == "E2b");
    CHECK(after.record_count() == 2);
}

TEST_CASE("cache file that cannot be written only misses", "[cache]") {
    CacheFile nowhere("/proc/self/nonexistent/dir/box.cache", 1);
    nowhere.add(MessageKey{1, 1, 1}, envelope_only("x"));
    nowhere.flush();
    CHECK(nowhere.lookup(MessageKey{1, 1, 1}).empty());
}

TEST_CASE("MessageCache answers fields from its attached file", "[cache]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    MessageKey key{5, 50, 500};
    MessageCache a;
    a.attach(path, 9);
    CHECK(a.fields(key).empty());
    a.add_fields(key, envelope_only("ENV"));
    a.flush();
    MessageCache b;
    b.attach(path, 9);
    CHECK(b.fields(key).envelope == "ENV");
    MessageCache detached;  // in memory: the envelope is kept
    detached.add_fields(key, envelope_only("MEM"));
    CHECK(detached.fields(key).envelope == "MEM");
}
