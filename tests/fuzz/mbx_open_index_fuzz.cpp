// parse_open_index on arbitrary bytes: never crashes; whatever it accepts
// re-encodes to the same bytes and keeps its records in order. The record
// checks are reached through a second path (the hash would
// otherwise stop almost every input at the door): the input is also read
// as record fields, encoded and parsed back.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "drivers/mbx/open_index.hpp"

using namespace mail::mbx;

namespace {

void check(const std::string& bytes) {
    auto idx = parse_open_index(bytes);
    if (!idx) return;
    if (encode_open_index(*idx) != bytes) std::abort();
    uint64_t end = 2048;
    for (const OpenIndexRecord& r : idx->records) {
        if (r.offset < end || r.offset + r.line_length + r.size > idx->stamp.covered) std::abort();
        end = r.offset + r.line_length + r.size;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    check(bytes);
    // The input's bytes as the fields of an index, encoded (so the hash is
    // right) and parsed: what is accepted must come back unchanged.
    OpenIndex idx;
    idx.stamp.covered = 1u << 20;
    idx.stamp.last_uid = 1000;
    idx.stamp.settled = true;
    for (size_t at = 0; at + 20 <= size; at += 20) {
        OpenIndexRecord r;
        std::memcpy(&r.offset, data + at, 4);
        r.line_length = data[at + 4];
        std::memcpy(&r.size, data + at + 5, 3);
        std::memcpy(&r.internal_date, data + at + 8, 4);
        std::memcpy(&r.uid, data + at + 12, 2);
        std::memcpy(&r.keywords, data + at + 14, 4);
        r.flags = data[at + 18];
        r.zone_minutes = static_cast<int8_t>(data[at + 19]) * 15;
        idx.records.push_back(r);
    }
    std::string enc = encode_open_index(idx);
    if (auto back = parse_open_index(enc)) {
        if (back->records != idx.records || !(back->stamp == idx.stamp)) std::abort();
    }
    check(enc);
    return 0;
}
