// Fuzz target for the date parsers: RFC 5322 dates (headers anyone writes),
// IMAP date-time and date in both places that parse them (the library's
// message/date and the protocol's datetime, which must agree), and the unix
// "From " line's date. Parsed values format back to text that parses to the
// same moment.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/unix/from_line.hpp"
#include "imapd/protocol/datetime.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "message/date.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);

    if (auto d = mail::parse_rfc5322_date(in)) mail::local_date(*d);

    auto lib = mail::parse_imap_datetime(in);
    if (lib) {
        auto again = mail::parse_imap_datetime(mail::format_imap_datetime(*lib));
        if (!again || again->utc != lib->utc) __builtin_trap();
    }
    try {
        mail::imapd::DateTime proto = mail::imapd::parse_date_time(in);
        // Where both parsers take the text, they read the same moment.
        if (lib && (lib->utc != proto.time || lib->zone_minutes != proto.zone_minutes)) __builtin_trap();
    } catch (const mail::imapd::ParseError&) {
    }
    auto day = mail::parse_imap_date(in);
    try {
        int64_t days = mail::imapd::parse_date(in);
        if (day && mail::days_from_civil(day->year, day->month, day->day) != days) __builtin_trap();
    } catch (const mail::imapd::ParseError&) {
    }

    if (auto from = mail::unixmbox::parse_from_line(in)) {
        std::string line = mail::unixmbox::format_from_line("fuzz@example.com", from->utc, from->zone_minutes);
        auto again = mail::unixmbox::parse_from_line(line);
        if (!again || again->utc != from->utc) __builtin_trap();
    }
    return 0;
}
