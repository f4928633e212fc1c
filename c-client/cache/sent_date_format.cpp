#include "cache/sent_date_format.hpp"


namespace mail {

namespace {

constexpr char kMagic[8] = {'I', 'M', 'A', 'P', 'S', 'N', 'T', 1};  // the last byte is the version

void put_u32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t get_le(std::string_view bytes, size_t at, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)])} << (8 * i);
    return v;
}

uint32_t record_check(Uid uidvalidity, const MessageKey& key, int64_t sent) {
    // A fixed buffer: SORT checks one record a message, so no allocation.
    char proof[32];
    auto put = [&proof](size_t at, uint64_t v, int n) {
        for (int i = 0; i < n; ++i) proof[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    };
    put(0, uidvalidity, 4);
    put(4, key.uid, 4);
    put(8, key.size, 8);
    put(16, static_cast<uint64_t>(key.internal_date), 8);
    put(24, static_cast<uint64_t>(sent), 8);
    return cache_sum(std::string_view(proof, sizeof proof));
}

}  // namespace

std::string encode_sent_date_header(Uid uidvalidity) {
    std::string out(kMagic, sizeof kMagic);
    put_u32(out, uidvalidity);
    put_u32(out, cache_sum(out));
    return out;
}

bool sent_date_header_matches(std::string_view bytes, Uid uidvalidity) {
    return bytes.size() >= kSentDateHeaderSize && bytes.substr(0, kSentDateHeaderSize) == encode_sent_date_header(uidvalidity);
}

std::string encode_sent_date_record(Uid uidvalidity, const MessageKey& key, int64_t sent) {
    std::string out;
    out.reserve(kSentDateRecordSize);
    put_u32(out, key.uid);
    put_u64(out, static_cast<uint64_t>(sent));
    put_u32(out, record_check(uidvalidity, key, sent));
    return out;
}

std::vector<SentDateRecord> decode_sent_date_records(std::string_view body) {
    std::vector<SentDateRecord> out;
    out.reserve(body.size() / kSentDateRecordSize);
    for (size_t at = 0; at + kSentDateRecordSize <= body.size(); at += kSentDateRecordSize)
        out.push_back(SentDateRecord{static_cast<Uid>(get_le(body, at, 4)), static_cast<int64_t>(get_le(body, at + 4, 8)),
                                     static_cast<uint32_t>(get_le(body, at + 12, 4))});
    return out;
}

std::optional<int64_t> proven_sent_date(const SentDateRecord& record, Uid uidvalidity, const MessageKey& key) {
    if (record.uid != key.uid || record.check != record_check(uidvalidity, key, record.sent)) return std::nullopt;
    return record.sent;
}

}  // namespace mail
