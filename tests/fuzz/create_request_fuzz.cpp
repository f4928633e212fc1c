// Fuzzes CREATE's argument parser (RFC 4466 parameters, RFC 6154 USE): the
// first byte sets the literal mode, the rest is what follows "CREATE SP".
// Any input ends in a request or a ParseError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imapd/protocol/create_request.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "tests/fuzz/fuzz_args.hpp"

using namespace mail::imapd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ArgReader args = fuzz_args(data, size, data[0] & 1);
    try {
        CreateRequest r = parse_create(args);
        for (const auto& use : r.uses)  // each attribute as "\\" atom
            if (use.size() < 2 || use[0] != '\\') __builtin_trap();
    } catch (const ParseError&) {
    }
    return 0;
}
