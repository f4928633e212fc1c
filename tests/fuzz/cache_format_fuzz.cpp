// Fuzzes the cache file's record scanner and decoder (cache/cache_format.hpp):
// any bytes, however damaged, scan to in-bounds, ordered records that
// decode (or are refused) without a crash, and a decoded record re-encodes
// to the same bytes.
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
    return 0;
}
