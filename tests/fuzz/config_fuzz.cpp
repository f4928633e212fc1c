// Fuzzes the configuration reader and the mail_location parser: any bytes
// give a Config or a ConfigError, never a crash; what parses expands.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        mail::Config config = mail::Config::parse(text, "fuzz.conf");
        (void)config.size("max_message_size");
        (void)config.duration("autologout");
        (void)config.location_for({"fred", "/home/fred"}, nullptr);
        (void)config.path("spool", {"a", "/h"});
    } catch (const mail::ConfigError&) {
    }
    try {
        (void)mail::expand_location(mail::parse_location(text), {"u", "/home/u"});
    } catch (const mail::ConfigError&) {
    }
    return 0;
}
