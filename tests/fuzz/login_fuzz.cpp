// Fuzz target for the pure parsers of the login path: SASL base64 and
// PLAIN, passwd-file lines and password schemes, the session-end line
// (which imapstat parses from logs anyone may have written into).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "imapd/auth/passwd_file.hpp"
#include "imapd/auth/sasl.hpp"
#include "imapd/log/log.hpp"
#include "imapd/log/session_end.hpp"

using namespace mail::imapd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto decoded = sasl_base64_decode(in)) {
        if (sasl_base64_decode(sasl_base64_encode(*decoded)).value_or("x") != *decoded &&
            !decoded->empty())
            __builtin_trap();
        parse_sasl_plain(*decoded);
    }
    parse_sasl_plain(in);
    if (auto e = parse_passwd_file_line(in)) verify_password(e->password, "password");
    size_t cut = in.find('\n');
    if (cut != std::string_view::npos) verify_password(in.substr(0, cut), in.substr(cut + 1));
    if (auto s = parse_session_end(in)) {
        // A parsed line formats back to one that parses to the same values.
        auto again = parse_session_end(format_session_end(*s));
        if (!again || again->user != s->user || again->host != s->host ||
            again->bytes_in != s->bytes_in)
            __builtin_trap();
    }
    log_word(in);
    return 0;
}
