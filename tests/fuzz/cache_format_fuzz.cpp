// Fuzzes the cache file's record scanner and decoder (cache/cache_format.hpp):
// any bytes, however damaged, scan to in-bounds, ordered records that
// decode (or are refused) without a crash, and a decoded record re-encodes
// to the same bytes. The lazy forms too: a scan that leaves sums to the
// decoder stays in bounds, and a decode of some fields gives those fields
// of the whole decode (or is refused when the whole decode is).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cache/cache_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)mail::cache_header_matches(bytes, 1);
    mail::CacheScan scan = mail::scan_cache_records(bytes, 0);
    uint64_t at = 0;
    for (const auto& r : scan.records) {
        if (r.offset != at || r.offset + r.length > size) abort();
        auto decoded = mail::decode_cache_record(bytes.substr(r.offset, r.length));
        if (decoded) {
            std::string again = mail::encode_cache_record(decoded->key, decoded->fields);
            auto twice = mail::decode_cache_record(again);
            if (!twice || twice->key != decoded->key || !(twice->fields == decoded->fields)) abort();
        }
        at += r.length;
    }
    if (scan.end != at) abort();
    (void)mail::decode_cache_record(bytes);

    const unsigned wanted = size ? data[0] & mail::kCacheAllFields : 0;
    mail::CacheScan lazy = mail::scan_cache_records(bytes, 0, false);
    at = 0;
    for (const auto& r : lazy.records) {
        if (r.offset != at || r.offset + r.length > size) abort();
        std::string_view record = bytes.substr(r.offset, r.length);
        auto some = mail::decode_cache_record(record, wanted);
        auto whole = mail::decode_cache_record(record);
        if (whole && some) {
            mail::CachedFields expect;
            if (wanted & mail::kCacheEnvelope) expect.envelope = whole->fields.envelope;
            if (wanted & mail::kCacheBody) expect.body = whole->fields.body;
            if (wanted & mail::kCacheBodyStructure) expect.bodystructure = whole->fields.bodystructure;
            if (wanted & mail::kCacheSentDate) expect.sent_date = whole->fields.sent_date;
            if (wanted & mail::kCacheHeaderFields) expect.header_fields = whole->fields.header_fields;
            if (!(some->fields == expect) || some->key != whole->key) abort();
        }
        if (!whole && some && !some->fields.empty()) abort();  // a damaged record gave a field
        at += r.length;
    }
    if (lazy.end != at) abort();
    return 0;
}
