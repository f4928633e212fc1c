// Fuzz target: the Berkeley mbox scanner and the From-line parser. Every
// message found must lie inside the data with its offsets in order and its
// visible ranges inside its header and body; a date parsed from a From line
// must format to a line that parses back to the same date.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/unix/from_line.hpp"
#include "drivers/unix/scanner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mail::unixmbox;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    bool bad = false;
    std::vector<ScannedMessage> messages = scan_bytes(text, &bad);
    uint64_t previous_end = 0;
    for (const ScannedMessage& m : messages) {
        if (!(previous_end <= m.start && m.start <= m.header && m.header <= m.blank &&
              m.blank <= m.body && m.body <= m.end && m.end <= m.next && m.next <= size))
            std::abort();
        uint64_t visible = 0;
        for (const auto& r : m.visible) {
            if (r.offset < m.header || r.offset + r.length > m.end) std::abort();
            visible += r.length;
        }
        if (m.size < visible) std::abort();  // LFs count as CRLF: never smaller
        previous_end = m.next;
    }

    std::string_view first = text.substr(0, text.find('\n'));
    if (auto date = parse_from_line(first)) {
        auto again = parse_from_line(format_from_line("fuzz@example.com", date->utc, date->zone_minutes));
        if (!again || again->utc != date->utc || again->zone_minutes != date->zone_minutes) std::abort();
    }
    return 0;
}
