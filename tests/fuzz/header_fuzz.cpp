// Fuzz target for the RFC 5322 layer: header fields, address lists, dates,
// RFC 2047 decoding and ENVELOPE, over arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "message/address.hpp"
#include "message/date.hpp"
#include "message/envelope.hpp"
#include "message/header.hpp"
#include "message/rfc2047.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)mail::find_header_end(input);
    for (const mail::HeaderField& f : mail::header_fields(input)) {
        std::string value = f.unfolded();
        (void)mail::parse_address_list(value);
        (void)mail::decode_rfc2047(value);
        if (auto t = mail::parse_rfc5322_date(value)) {
            // Whatever parses must format and parse back to the same moment
            // (zones beyond +-99:59 cannot be written, nor years beyond 9999).
            if (t->zone_minutes > -6000 && t->zone_minutes < 6000) {
                std::string s = mail::format_imap_datetime(*t);
                auto back = mail::parse_imap_datetime(s);
                if (s.size() == 26 && (!back || !(*back == *t))) __builtin_trap();
            }
        }
    }
    std::string envelope = mail::imap_envelope(input);
    if (envelope.empty() || envelope.front() != '(' || envelope.back() != ')') __builtin_trap();
    (void)mail::parse_imap_datetime(input);
    (void)mail::parse_imap_date(input);
    return 0;
}
