// Fuzz target: the dovecot-uidlist parser and writer. A parsed list must
// format to text that parses back to the same list.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "drivers/maildir/keywords.hpp"
#include "drivers/maildir/uidlist.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    mail::maildir::parse_keywords(text);
    try {
        auto list = mail::maildir::parse_uidlist(text);
        auto again = mail::maildir::parse_uidlist(mail::maildir::format_uidlist(list));
        if (again.uidvalidity != list.uidvalidity || again.next_uid != list.next_uid ||
            again.records.size() != list.records.size())
            std::abort();
    } catch (const mail::MailError&) {
    }
    return 0;
}
