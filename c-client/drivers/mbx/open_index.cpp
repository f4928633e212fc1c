#include "drivers/mbx/open_index.hpp"

#include <cstring>

namespace mail::mbx {

namespace {

constexpr char kMagic[8] = {'M', 'B', 'X', 'I', 'D', 'X', '\0', '\1'};
constexpr size_t kStampSize = 8 * 4 + 4 * 4;
constexpr size_t kRecordSize = 36;
constexpr size_t kPrefixSize = sizeof kMagic + 8;

template <typename T>
void put(std::string& out, T v) {
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((u >> (8 * i)) & 0xff);
}

template <typename T>
T get(const char* p) {
    std::make_unsigned_t<T> u = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(p[i])) << (8 * i);
    return static_cast<T>(u);
}

// FNV-1a over 8-byte words (the tail byte-wise): a 3 MB index hashes in
// well under a millisecond. It detects damage, not forgery: the index is the
// user's own file.
uint64_t hash_words(std::string_view b) {
    uint64_t h = 14695981039346656037ull;
    size_t i = 0;
    for (; i + 8 <= b.size(); i += 8) h = (h ^ get<uint64_t>(b.data() + i)) * 1099511628211ull;
    for (; i < b.size(); ++i) h = (h ^ static_cast<unsigned char>(b[i])) * 1099511628211ull;
    return h;
}

}  // namespace

std::string encode_open_index(const OpenIndex& index) {
    const OpenIndexStamp& s = index.stamp;
    std::string body;
    body.reserve(kStampSize + index.records.size() * kRecordSize);
    put<uint64_t>(body, s.dev);
    put<uint64_t>(body, s.ino);
    put<uint64_t>(body, s.covered);
    put<int64_t>(body, s.mtime_ns);
    put<uint32_t>(body, s.uidvalidity);
    put<uint32_t>(body, s.last_uid);
    put<uint32_t>(body, static_cast<uint32_t>(index.records.size()));
    put<uint32_t>(body, (s.settled ? 1u : 0u) | (s.holes ? 2u : 0u));
    for (const OpenIndexRecord& r : index.records) {
        put<uint64_t>(body, (r.offset & ((uint64_t{1} << 56) - 1)) | (uint64_t{r.line_length & 0xff} << 56));
        put<uint64_t>(body, r.size);
        put<int64_t>(body, r.internal_date);
        put<uint32_t>(body, r.uid);
        put<uint32_t>(body, r.keywords);
        put<uint16_t>(body, static_cast<uint16_t>(r.flags));
        put<int16_t>(body, static_cast<int16_t>(r.zone_minutes));
    }
    std::string out(kMagic, sizeof kMagic);
    put<uint64_t>(out, hash_words(body));
    return out + body;
}

std::optional<OpenIndex> parse_open_index(std::string_view b) {
    if (b.size() < kPrefixSize + kStampSize || std::memcmp(b.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
    std::string_view body = b.substr(kPrefixSize);
    if (get<uint64_t>(b.data() + sizeof kMagic) != hash_words(body)) return std::nullopt;
    const char* p = body.data();
    OpenIndex index;
    OpenIndexStamp& s = index.stamp;
    s.dev = get<uint64_t>(p);
    s.ino = get<uint64_t>(p + 8);
    s.covered = get<uint64_t>(p + 16);
    s.mtime_ns = get<int64_t>(p + 24);
    s.uidvalidity = get<uint32_t>(p + 32);
    s.last_uid = get<uint32_t>(p + 36);
    const uint32_t count = get<uint32_t>(p + 40);
    const uint32_t bits = get<uint32_t>(p + 44);
    s.settled = bits & 1;
    s.holes = bits & 2;
    if (bits > 3 || body.size() != kStampSize + uint64_t{count} * kRecordSize) return std::nullopt;
    index.records.resize(count);
    uint64_t min_offset = 2048;  // the mbx header
    Uid min_uid = 1;
    p += kStampSize;
    for (OpenIndexRecord& r : index.records) {
        const uint64_t where = get<uint64_t>(p);
        r.offset = where & ((uint64_t{1} << 56) - 1);
        r.line_length = static_cast<uint32_t>(where >> 56);
        r.size = get<uint64_t>(p + 8);
        r.internal_date = get<int64_t>(p + 16);
        r.uid = get<uint32_t>(p + 24);
        r.keywords = get<uint32_t>(p + 28);
        r.flags = get<uint16_t>(p + 32);
        r.zone_minutes = get<int16_t>(p + 34);
        p += kRecordSize;
        // In order, inside the file, no overlaps: a bad record cannot send
        // a read outside the message it names.
        if (r.offset < min_offset || r.uid < min_uid || r.line_length < 24 || r.line_length > 64 ||
            r.size > s.covered || r.offset + r.line_length + r.size > s.covered || (r.flags & kRecent) ||
            r.flags > 0xff || r.keywords >> 30)
            return std::nullopt;
        min_offset = r.offset + r.line_length + r.size;
        min_uid = r.uid + 1;
        if (min_uid == 0) return std::nullopt;
    }
    if (!index.records.empty() && index.records.back().uid > s.last_uid) return std::nullopt;
    return index;
}

}  // namespace mail::mbx
