// Fuzzes the unix driver's index parser (drivers/unix/index_file.hpp). The
// checksum is patched to match so that the fuzzer reaches the record
// parser: whatever parses has ordered offsets inside what it covers and
// visible ranges inside their message, and encodes back to an equal index.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "drivers/unix/index_file.hpp"

using namespace mail::unixmbox;

namespace {

void check(const UnixIndex& index) {
    uint64_t next = 0;
    for (const ScannedMessage& m : index.messages) {
        if (m.start < next || m.header < m.start || m.blank < m.header || m.body < m.blank || m.end < m.body ||
            m.next < m.end || m.next > index.stamp.covered)
            abort();
        uint64_t low = m.header;
        for (const auto& r : m.visible) {
            if (r.offset < low || r.length == 0 || r.offset + r.length > m.end) abort();
            low = r.offset + r.length;
        }
        next = m.next;
    }
    auto again = parse_index(encode_index(index));
    if (!again || !(again->stamp == index.stamp) || again->messages.size() != index.messages.size()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (auto index = parse_index(bytes)) check(*index);
    if (bytes.size() >= 16) {
        uint64_t h = hash_bytes(std::string_view(bytes).substr(16));
        for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<char>((h >> (8 * i)) & 0xff);
        bytes.replace(0, 8, std::string("UXIDX\0\0\1", 8));
        if (auto index = parse_index(bytes)) check(*index);
    }
    return 0;
}
