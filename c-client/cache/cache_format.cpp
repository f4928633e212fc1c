#include "cache/cache_format.hpp"

#include <endian.h>

#include <cstring>

#include "message/header.hpp"

namespace mail {

namespace {

constexpr char kMagic[8] = {'I', 'M', 'A', 'P', 'C', 'A', 'C', 'H'};

enum FieldTag : uint8_t {
    kTagEnvelope = 1,
    kTagBody = 2,
    kTagBodyStructure = 3,
    kTagSentDate = 4,
    kTagHeaderFields = 5,
};

// A field's CacheFieldMask bit is 1 << (tag - 1).
static_assert(kCacheEnvelope == 1u << (kTagEnvelope - 1) && kCacheHeaderFields == 1u << (kTagHeaderFields - 1) &&
              kCacheSentDate == 1u << (kTagSentDate - 1));

void put_u32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t get_u32(std::string_view b, size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return v;
}
uint64_t get_u64(std::string_view b, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return v;
}

void put_field(std::string& out, FieldTag tag, std::string_view bytes) {
    out += static_cast<char>(tag);
    put_u32(out, static_cast<uint32_t>(bytes.size()));
    out += bytes;
}

}  // namespace

const std::vector<std::string_view> kCachedHeaderNames = {
    "Subject", "From", "To", "Cc", "Date", "Message-ID", "References", "In-Reply-To",
};

void CachedFields::merge(const CachedFields& other) {
    if (other.envelope) envelope = other.envelope;
    if (other.body) body = other.body;
    if (other.bodystructure) bodystructure = other.bodystructure;
    if (other.sent_date) sent_date = other.sent_date;
    if (other.header_fields) header_fields = other.header_fields;
}

std::string select_cached_header_fields(std::string_view header) {
    std::string out;
    HeaderParser parser(header);
    while (auto field = parser.next()) {
        for (std::string_view name : kCachedHeaderNames) {
            if (!header_name_equals(field->name, name)) continue;
            out.append(field->name);
            out += ": ";
            out += searchable_header_value(field->raw_value);  // as SEARCH HEADER sees it
            out += "\r\n";
            break;
        }
    }
    return out;
}

uint32_t cache_sum(std::string_view bytes) {
    constexpr uint64_t kMul = 0xff51afd7ed558ccdull;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ bytes.size();
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        h = (h ^ le64toh(w)) * kMul;  // the same sum on any host
        h ^= h >> 32;
    }
    uint64_t last = 0;
    for (size_t k = 0; i + k < bytes.size(); ++k) last |= uint64_t{static_cast<uint8_t>(bytes[i + k])} << (8 * k);
    h = (h ^ last) * kMul;
    h ^= h >> 29;
    return static_cast<uint32_t>(h ^ (h >> 32));
}

std::string encode_cache_header(Uid uidvalidity) {
    std::string out(kMagic, sizeof kMagic);
    put_u32(out, kCacheVersion);
    put_u32(out, uidvalidity);
    put_u32(out, 0);
    put_u32(out, cache_sum(out));
    return out;
}

bool cache_header_matches(std::string_view bytes, Uid uidvalidity) {
    if (bytes.size() < kCacheHeaderSize) return false;
    return bytes.substr(0, kCacheHeaderSize) == encode_cache_header(uidvalidity);
}

std::string encode_cache_record(const MessageKey& key, const CachedFields& fields) {
    std::string payload;
    put_u32(payload, key.uid);
    put_u64(payload, key.size);
    put_u64(payload, static_cast<uint64_t>(key.internal_date));
    if (fields.envelope) put_field(payload, kTagEnvelope, *fields.envelope);
    if (fields.body) put_field(payload, kTagBody, *fields.body);
    if (fields.bodystructure) put_field(payload, kTagBodyStructure, *fields.bodystructure);
    if (fields.sent_date) {
        std::string date;
        put_u64(date, static_cast<uint64_t>(*fields.sent_date));
        put_field(payload, kTagSentDate, date);
    }
    if (fields.header_fields) put_field(payload, kTagHeaderFields, *fields.header_fields);
    std::string out;
    put_u32(out, static_cast<uint32_t>(payload.size()));
    put_u32(out, cache_sum(payload));
    return out + payload;
}

CacheScan scan_cache_records(std::string_view bytes, uint64_t base, bool check_sums) {
    CacheScan scan;
    size_t at = 0;
    while (at < bytes.size()) {
        std::string_view rest = bytes.substr(at);
        if (rest.size() < kCacheRecordHead) break;  // being written, or cut short
        uint32_t length = get_u32(rest, 0);
        if (length < 20 || length > kMaxCacheRecord) {
            scan.damaged = true;
            break;
        }
        if (rest.size() - kCacheRecordHead < length) break;
        std::string_view payload = rest.substr(kCacheRecordHead, length);
        bool last = rest.size() == kCacheRecordHead + length;
        if ((check_sums || last) && cache_sum(payload) != get_u32(rest, 4)) {
            // At the very end it may be a record still being written.
            scan.damaged = !last;
            break;
        }
        scan.records.push_back(CacheRecordRef{get_u32(payload, 0), base + at,
                                              static_cast<uint32_t>(kCacheRecordHead + length)});
        at += kCacheRecordHead + length;
    }
    scan.end = base + at;
    return scan;
}

std::optional<DecodedRecord> decode_cache_record(std::string_view record, unsigned wanted) {
    if (record.size() < kCacheRecordHead + 20) return std::nullopt;
    uint32_t length = get_u32(record, 0);
    if (length != record.size() - kCacheRecordHead) return std::nullopt;
    std::string_view payload = record.substr(kCacheRecordHead);
    // The sum is checked only when the record holds a wanted field: a
    // record a reader takes nothing from costs a walk over its field heads.
    bool holds_wanted = false;
    for (size_t at = 20; at < payload.size();) {
        if (payload.size() - at < 5) return std::nullopt;
        auto tag = static_cast<uint8_t>(payload[at]);
        uint32_t len = get_u32(payload, at + 1);
        if (payload.size() - at - 5 < len) return std::nullopt;
        if (tag >= kTagEnvelope && tag <= kTagHeaderFields && (wanted & (1u << (tag - 1)))) holds_wanted = true;
        at += 5 + len;
    }
    if (holds_wanted && cache_sum(payload) != get_u32(record, 4)) return std::nullopt;
    DecodedRecord out;
    out.key.uid = get_u32(payload, 0);
    out.key.size = get_u64(payload, 4);
    out.key.internal_date = static_cast<int64_t>(get_u64(payload, 12));
    size_t at = 20;
    while (at < payload.size()) {
        if (payload.size() - at < 5) return std::nullopt;
        auto tag = static_cast<uint8_t>(payload[at]);
        uint32_t len = get_u32(payload, at + 1);
        at += 5;
        if (payload.size() - at < len) return std::nullopt;
        std::string_view value = payload.substr(at, len);
        at += len;
        switch (tag) {
        case kTagEnvelope:
            if (wanted & kCacheEnvelope) out.fields.envelope = std::string(value);
            break;
        case kTagBody:
            if (wanted & kCacheBody) out.fields.body = std::string(value);
            break;
        case kTagBodyStructure:
            if (wanted & kCacheBodyStructure) out.fields.bodystructure = std::string(value);
            break;
        case kTagSentDate:
            if (len != 8) return std::nullopt;
            if (wanted & kCacheSentDate) out.fields.sent_date = static_cast<int64_t>(get_u64(value, 0));
            break;
        case kTagHeaderFields:
            if (wanted & kCacheHeaderFields) out.fields.header_fields = std::string(value);
            break;
        default: break;  // a field a later version added: skipped
        }
    }
    return out;
}

}  // namespace mail
