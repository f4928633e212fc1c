// Fuzzes SORT and THREAD's argument parsers (with ESORT's RETURN options):
// the first byte picks the command, the rest is what follows "SORT SP" or
// "THREAD SP" as received (literals inline). Any input ends in a request or
// a ParseError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imapd/commands/search_result.hpp"
#include "imapd/protocol/parse_error.hpp"
#include "tests/fuzz/fuzz_args.hpp"
#include "imapd/protocol/sort_request.hpp"

using namespace mail::imapd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ArgReader args = fuzz_args(data, size, data[0] & 2);
    try {
        if (data[0] & 1) {
            ThreadRequest r = parse_thread(args);
            mail::thread_algorithm_named(r.charset);
        } else {
            SortRequest r = parse_sort(args);
            if (r.return_options) {
                ReturnOptions options = parse_return_options(*r.return_options);
                esearch_response("A1", data[0] & 4, {3, 1, 2, 4, 9}, options, true);
            }
        }
    } catch (const ParseError&) {
    }
    return 0;
}
