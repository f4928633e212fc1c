// The bytes of the on-disk cache of parsed message data (cache_file.hpp
// reads and writes the file): pure functions, no I/O, so that they can be
// unit-tested and fuzzed.
//
// File  = Header Record*
// Header (24 bytes): "IMAPCACH" | u32 version | u32 uidvalidity | u32 0 | u32 sum(first 20)
// Record: u32 payload length | u32 sum(payload) | payload
// Payload: u32 uid | u64 size | i64 internal date | Field*
// Field: u8 tag | u32 length | bytes
// Integers little-endian; sum is cache_sum() over the bytes (a damage check,
// not a defence against an attacker: whoever can write the file can write
// the mailbox). The file is an append log: a message may have several records,
// the later ones adding fields; a record whose size or internal date is not
// the message's any more is stale and ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail {

constexpr uint32_t kCacheVersion = 3;  // 2: cache_sum by 8-byte words; 3: header fields with a TAB that starts a continuation line as a space
constexpr size_t kCacheHeaderSize = 24;
constexpr size_t kCacheRecordHead = 8;
constexpr uint32_t kMaxCacheRecord = 4 << 20;  // larger lengths are damage

// What proves a record is about this message: its UID, and the size and
// internal date the driver reports for it (a different message put under the
// same UID by a foreign writer differs in one of them with near certainty).
struct MessageKey {
    Uid uid = 0;
    uint64_t size = 0;
    int64_t internal_date = 0;
    bool operator==(const MessageKey&) const = default;
};

// A sent date that is known to be absent (no or a bad Date: field).
constexpr int64_t kNoSentDate = INT64_MIN;

// The parsed data of one message; unset fields are not known (yet).
struct CachedFields {
    std::optional<std::string> envelope;       // ENVELOPE's value
    std::optional<std::string> body;           // BODY's value
    std::optional<std::string> bodystructure;  // BODYSTRUCTURE's value
    std::optional<int64_t> sent_date;          // Date: as UTC seconds, or kNoSentDate
    // Subject, From, To, Cc, Date, Message-ID, References, In-Reply-To as
    // "Name: value CRLF" lines, unfolded (SEARCH and SORT read these).
    std::optional<std::string> header_fields;

    bool empty() const {
        return !envelope && !body && !bodystructure && !sent_date && !header_fields;
    }
    // Sets every field `other` knows.
    void merge(const CachedFields& other);
    bool operator==(const CachedFields&) const = default;
};

// The fields a reader wants of a record, as a mask: decoding copies only
// these (a SORT by date needs 8 bytes of a record that holds kilobytes).
enum CacheFieldMask : unsigned {
    kCacheEnvelope = 1,
    kCacheBody = 2,
    kCacheBodyStructure = 4,
    kCacheSentDate = 8,
    kCacheHeaderFields = 16,
    kCacheAllFields = 31,
};

// The header fields cached for SEARCH and SORT, in this order.
extern const std::vector<std::string_view> kCachedHeaderNames;
// Picks kCachedHeaderNames's fields out of a message header.
std::string select_cached_header_fields(std::string_view header);

// A multiply-xor hash taken 8 bytes at a time (version 1 used FNV-1a byte
// by byte, which cost more than the rest of a SORT by date).
uint32_t cache_sum(std::string_view bytes);

std::string encode_cache_header(Uid uidvalidity);
// True when `bytes` starts with a whole, undamaged header of this version
// for this UIDVALIDITY.
bool cache_header_matches(std::string_view bytes, Uid uidvalidity);

// A whole record (head and payload).
std::string encode_cache_record(const MessageKey& key, const CachedFields& fields);

struct CacheRecordRef {
    Uid uid = 0;
    uint64_t offset = 0;  // of the record's head in the file
    uint32_t length = 0;  // of the whole record
};

struct CacheScan {
    std::vector<CacheRecordRef> records;  // in file order
    uint64_t end = 0;       // where the scan stopped: the end of the last good record
    bool damaged = false;   // a bad record with more bytes after it
};

// Scans records in bytes, which start at file offset `base` (after the
// header, or where the last scan ended). A record cut short or failing its
// sum at the very end may be one being written: the scan stops before it
// without calling it damage. With check_sums false only the last record's
// sum is checked (the one that may be being written); the others' are left
// to decode_cache_record, so that opening a large cache costs a walk over
// the record heads, not a sum over every byte.
CacheScan scan_cache_records(std::string_view bytes, uint64_t base, bool check_sums = true);

// The key and fields of one whole record (as scan_cache_records found it);
// nullopt when it is malformed or fails its sum. Only the fields in
// `wanted` (CacheFieldMask) are copied out.
struct DecodedRecord {
    MessageKey key;
    CachedFields fields;
};
std::optional<DecodedRecord> decode_cache_record(std::string_view record, unsigned wanted = kCacheAllFields);

}  // namespace mail
