// The cheaper forms SEARCH, SORT and FETCH read the cache through: records
// decoded for the wanted fields only (sums checked then, not at the scan),
// sort keys computed by part (SORT (DATE) from the cached sent date alone),
// and SEARCH's ASCII header fast path, which must answer as the decoding
// path does.
#include <catch2/catch.hpp>

#include "counting_mailbox.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cache/cache_file.hpp"
#include "cache/header_fields.hpp"
#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/search_program.hpp"
#include "search/search.hpp"
#include "sort/sort.hpp"
#include "sort/sort_keys.hpp"

using namespace mail;

namespace {

using test::TempDir;

// UIDVALIDITY 9, as these tests were written with.
struct CountingMailbox : test::CountingMailbox {
    explicit CountingMailbox(const std::vector<std::string>& texts) : test::CountingMailbox(texts, 9) {}
};

const std::vector<std::string> kMessages = {
    "From: Alice Example <alice@example.org>\r\nTo: bob@example.com\r\n"
    "Subject: Re: Budget\r\n meeting notes\r\nDate: Mon, 1 Jan 2024 23:30:00 -0500\r\n"
    "Message-ID: <a1@example.org>\r\n\r\nbody one\r\n",
    "From: =?ISO-8859-1?Q?J=F6rg?= <joerg@example.de>\r\nTo: alice@example.org\r\n"
    "Subject: =?ISO-8859-1?Q?Caf=E9?= KILO\r\nDate: Tue, 2 Jan 2024 10:00:00 +0100\r\n"
    "References: <a1@example.org>\r\n\r\nbody two\r\n",
    "From: carol@example.net\r\nSubject:    agenda =?bad  Meeting\r\n\r\nno date here\r\n",
    "From: dave@example.net\r\nSubject: x\r\nDate: not a date at all\r\n\r\nbad date\r\n",
};

using test::all_indexes;
using test::run;

CachedFields full_fields() {
    CachedFields f;
    f.envelope = "(\"env\")";
    f.body = "(\"body\")";
    f.bodystructure = "(\"bs\")";
    f.sent_date = 1234;
    f.header_fields = "Subject: s\r\n";
    return f;
}

}  // namespace

TEST_CASE("a record decodes only the wanted fields", "[search-perf]") {
    const std::string record = encode_cache_record({5, 10, 20}, full_fields());
    struct Case {
        unsigned wanted;
        bool envelope, body, bodystructure, sent_date, header_fields;
    } cases[] = {
        {kCacheAllFields, true, true, true, true, true},
        {kCacheSentDate, false, false, false, true, false},
        {kCacheHeaderFields, false, false, false, false, true},
        {kCacheBody | kCacheBodyStructure, false, true, true, false, false},
        {kCacheEnvelope, true, false, false, false, false},
        {0, false, false, false, false, false},
    };
    for (const Case& c : cases) {
        auto d = decode_cache_record(record, c.wanted);
        REQUIRE(d);
        CHECK(d->key == MessageKey{5, 10, 20});
        CHECK(d->fields.envelope.has_value() == c.envelope);
        CHECK(d->fields.body.has_value() == c.body);
        CHECK(d->fields.bodystructure.has_value() == c.bodystructure);
        CHECK(d->fields.sent_date.has_value() == c.sent_date);
        CHECK(d->fields.header_fields.has_value() == c.header_fields);
    }
    CHECK(decode_cache_record(record, kCacheSentDate)->fields.sent_date == 1234);
}

TEST_CASE("a damaged record is rejected when it holds a wanted field", "[search-perf]") {
    CachedFields env_only;
    env_only.envelope = "(\"envelope\")";
    std::string record = encode_cache_record({5, 10, 20}, env_only);
    record[record.size() - 3] ^= 0x20;  // inside the envelope's bytes
    CHECK_FALSE(decode_cache_record(record, kCacheEnvelope));
    CHECK_FALSE(decode_cache_record(record));
    // A reader that wants nothing from it takes nothing from it.
    auto d = decode_cache_record(record, kCacheSentDate);
    REQUIRE(d);
    CHECK(d->fields.empty());
    // A field head pointing past the end is malformed whatever is wanted.
    std::string cut = encode_cache_record({5, 10, 20}, env_only);
    cut[kCacheRecordHead + 20 + 1] = 0x7f;
    CHECK_FALSE(decode_cache_record(cut, 0));
}

TEST_CASE("a scan without sums checks only the last record's", "[search-perf]") {
    const std::string a = encode_cache_record({1, 10, 20}, full_fields());
    const std::string b = encode_cache_record({2, 10, 20}, full_fields());
    std::string bad_a = a;
    bad_a[bad_a.size() - 4] ^= 1;
    std::string bad_b = b;
    bad_b[bad_b.size() - 4] ^= 1;
    struct Case {
        std::string bytes;
        size_t records;
        bool damaged;
    } cases[] = {
        {a + b, 2, false},
        {bad_a + b, 2, false},   // indexed; decode_cache_record rejects it later
        {a + bad_b, 1, false},   // at the end: may be being written
        {a + b.substr(0, 30), 1, false},
    };
    for (const Case& c : cases) {
        CacheScan scan = scan_cache_records(c.bytes, 24, false);
        CHECK(scan.records.size() == c.records);
        CHECK(scan.damaged == c.damaged);
    }
    CHECK(scan_cache_records(bad_a + b, 24, true).damaged);
}

TEST_CASE("a damaged record found at lookup misses and is dropped at the next flush", "[search-perf]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    CachedFields one, two;
    one.envelope = "(\"one\")";
    two.envelope = "(\"two\")";
    {
        CacheFile file(path, 3);
        file.add({1, 10, 20}, one);
        file.add({2, 10, 20}, two);
    }
    // Damage the first record's envelope bytes in place.
    UniqueFd fd(::open(path.c_str(), O_RDWR));
    REQUIRE(fd.get() >= 0);
    const off_t at = static_cast<off_t>(kCacheHeaderSize + encode_cache_record({1, 10, 20}, one).size() - 3);
    char c = 0;
    REQUIRE(::pread(fd.get(), &c, 1, at) == 1);
    c ^= 0x20;
    REQUIRE(::pwrite(fd.get(), &c, 1, at) == 1);
    {
        CacheFile file(path, 3);
        CHECK_FALSE(file.lookup({1, 10, 20}).envelope);
        CHECK(file.lookup({2, 10, 20}).envelope == "(\"two\")");
        CHECK(file.lookup({2, 10, 20}, kCacheSentDate).empty());
        file.add({1, 10, 20}, one);  // recomputed; the flush rewrites the file
    }
    CacheFile again(path, 3);
    CHECK(again.lookup({1, 10, 20}).envelope == "(\"one\")");
    CHECK(again.lookup({2, 10, 20}).envelope == "(\"two\")");
    CHECK(again.record_count() == 2);
}

TEST_CASE("the cached sent date is the first Date: field's, or none", "[search-perf]") {
    TempDir dir;
    CountingMailbox mb(kMessages);
    const int64_t expected[] = {1704169800, 1704186000, kNoSentDate, kNoSentDate};
    for (size_t i = 0; i < mb.count(); ++i) {
        CHECK(sent_date_of(kMessages[i]) == expected[i]);
        CHECK(cached_sent_date(mb, i, nullptr) == expected[i]);
    }
    MessageCache cache;
    cache.attach(dir.path + "/box.cache", mb.uidvalidity());
    for (size_t i = 0; i < mb.count(); ++i) CHECK(cached_sent_date(mb, i, &cache) == expected[i]);
    cache.flush();
    mb.reads = 0;
    for (size_t i = 0; i < mb.count(); ++i) CHECK(cached_sent_date(mb, i, &cache) == expected[i]);
    CHECK(mb.reads == 0);  // from the cache's sent date
}

TEST_CASE("sort keys by part equal the whole extraction", "[search-perf]") {
    TempDir dir;
    CountingMailbox mb(kMessages);
    {
        MessageCache cache;
        cache.attach(dir.path + "/box.cache", mb.uidvalidity());
        for (size_t i = 0; i < mb.count(); ++i) cached_header_fields(mb, i, &cache);
    }
    mb.reads = 0;
    MessageCache cache;
    cache.attach(dir.path + "/box.cache", mb.uidvalidity());
    SortKeyCache keys;
    std::vector<const SortKeys*> dates = keys.keys(mb, all_indexes(mb), &cache, kSortSent);
    CHECK(mb.reads == 0);
    for (size_t i = 0; i < mb.count(); ++i) {
        SortKeys want = extract_sort_keys(kMessages[i], mb.at(i));
        CHECK(dates[i]->parts == kSortSent);
        CHECK(dates[i]->sent == want.sent);
        CHECK(dates[i]->subject.empty());  // not computed
    }
    std::vector<const SortKeys*> all = keys.keys(mb, all_indexes(mb), &cache);
    CHECK(mb.reads == 0);
    for (size_t i = 0; i < mb.count(); ++i) {
        SortKeys want = extract_sort_keys(kMessages[i], mb.at(i));
        CHECK(all[i] == dates[i]);  // the same entry, completed
        CHECK(all[i]->parts == kSortAllParts);
        CHECK(all[i]->sent == want.sent);
        CHECK(all[i]->subject == want.subject);
        CHECK(all[i]->from == want.from);
        CHECK(all[i]->display_to == want.display_to);
        CHECK(all[i]->references == want.references);
    }
    struct Case {
        std::vector<SortCriterion> criteria;
        unsigned parts;
    } cases[] = {
        {{{SortKey::Date, false}}, kSortSent},
        {{{SortKey::Arrival, false}, {SortKey::Size, true}}, 0},
        {{{SortKey::Subject, false}, {SortKey::Date, true}}, kSortSubject | kSortSent},
        {{{SortKey::DisplayFrom, false}}, kSortAddresses},
        {{{SortKey::Cc, false}, {SortKey::To, false}}, kSortAddresses},
    };
    for (const Case& c : cases) CHECK(sort_key_parts(c.criteria) == c.parts);
}

TEST_CASE("SEARCH header keys answer alike with and without the cache", "[search-perf]") {
    TempDir dir;
    CountingMailbox mb(kMessages);
    struct Case {
        std::string program;
        std::vector<size_t> expected;
    } cases[] = {
        {"SUBJECT budget", {1}},
        {"SUBJECT \"BUDGET MEETING\"", {1}},        // unfolded, case-folded
        {"SUBJECT {5}\r\ncaf\xC3\xA9", {2}},        // encoded word decoded
        {"SUBJECT kilo", {2}},                      // plain text beside an encoded word
        {"SUBJECT {3}\r\n\xE2\x84\xAA", {2}},       // KELVIN SIGN folds to k
        {"SUBJECT \"agenda =?bad\"", {3}},          // "=?" that is no encoded word
        {"SUBJECT \" agenda\"", {}},                // leading blanks are not part of the value
        {"SUBJECT meeting", {1, 3}},
        {"SUBJECT {2}\r\n\xC3\xA9", {2}},           // non-ASCII needle, ASCII values elsewhere
        {"FROM {5}\r\nJ\xC3\x96RG", {2}},
        {"FROM EXAMPLE.NET", {3, 4}},
        {"SENTBEFORE 2-Jan-2024", {1, 3, 4}},      // no usable Date: is 1970
        {"SENTON 1-Jan-2024", {1}},                 // in the message's own zone
    };
    {
        MessageCache cache;
        cache.attach(dir.path + "/box.cache", mb.uidvalidity());
        for (size_t i = 0; i < mb.count(); ++i) cached_header_fields(mb, i, &cache);
    }
    for (const Case& c : cases) {
        INFO(c.program);
        MessageCache cache;
        cache.attach(dir.path + "/box.cache", mb.uidvalidity());
        mb.reads = 0;
        CHECK(run(mb, c.program, &cache) == c.expected);
        CHECK(mb.reads == 0);
        CHECK(run(mb, c.program, nullptr) == c.expected);
    }
}

TEST_CASE("a cache larger than the scan window is read whole, records across windows too", "[search-perf]") {
    TempDir dir;
    const std::string path = dir.path + "/box.cache";
    struct Case {
        size_t count;
        size_t envelope_bytes;
        size_t big_at;  // one record of almost kMaxCacheRecord bytes after this one; 0: none
    } cases[] = {
        {3000, 2000, 0},     // ~6 MB: records cross the 4 MB window
        {3000, 1500, 1000},  // a record longer than the window in the middle
        {10, 100, 0},
    };
    for (const Case& c : cases) {
        std::filesystem::remove(path);
        auto envelope_of = [&](size_t uid) {
            size_t n = uid == c.big_at + 1 && c.big_at ? kMaxCacheRecord - 1000 : c.envelope_bytes;
            return std::string(n, static_cast<char>('a' + uid % 26));
        };
        {
            CacheFile file(path, 4);
            for (size_t uid = 1; uid <= c.count; ++uid) {
                CachedFields f;
                f.envelope = envelope_of(uid);
                f.sent_date = static_cast<int64_t>(uid);
                file.add({static_cast<Uid>(uid), 10, 20}, f);
            }
        }
        CacheFile file(path, 4);
        size_t found = 0;
        for (size_t uid = 1; uid <= c.count; ++uid) {
            CachedFields f = file.lookup({static_cast<Uid>(uid), 10, 20});
            if (f.envelope == envelope_of(uid) && f.sent_date == static_cast<int64_t>(uid)) ++found;
        }
        CHECK(found == c.count);
        CHECK(file.record_count() == c.count);
    }
}
