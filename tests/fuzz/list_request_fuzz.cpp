// Fuzzes LIST's RFC 5258/5819/6154 argument parser: the first byte sets the
// literal mode, the rest is what follows "LIST SP". Any input ends in a
// request or a ParseError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imapd/protocol/list_request.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "tests/fuzz/fuzz_args.hpp"

using namespace mail::imapd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ArgReader args = fuzz_args(data, size, data[0] & 1);
    try {
        ListExtendedRequest r = parse_list_request(args);
        // Every accepted request names at least one pattern; STATUS has items.
        if (r.patterns.empty()) __builtin_trap();
        if ((r.returns & kReturnStatus) && r.status_items.empty()) __builtin_trap();
    } catch (const ParseError&) {
    }
    return 0;
}
