// The unix driver's append journal record parser (append_journal.hpp): no
// input crashes it, and what it accepts formats back to a record that
// parses to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/unix/append_journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto record = mail::unixmbox::parse_journal(text);
    if (record) {
        auto again = mail::unixmbox::parse_journal(mail::unixmbox::format_journal(*record));
        if (!again || !(*again == *record)) std::abort();
    }
    return 0;
}
