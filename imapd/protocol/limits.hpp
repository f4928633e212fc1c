// Bounds on what a client may send, so that memory stays bounded by
// configuration. Each exceeded limit gets a BAD that names it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mail::imapd {

struct ParserLimits {
    size_t max_line = 64 * 1024;            // command text per line, literals excluded
    size_t max_command = 1024 * 1024;       // a whole command held in memory, literals included
    uint64_t max_literal = 64 * 1024;       // any literal but APPEND's message
    uint64_t max_message = 1536ull << 20;   // APPEND's message (max_message_size)
    size_t max_depth = 64;                  // nesting of parentheses
    size_t max_items = 10000;               // arguments, list items, search keys
    bool literal_minus = false;             // only LITERAL- advertised: {n+} limited to 4096
};

// RFC 7888: under LITERAL-, non-synchronising literals may be at most this long.
constexpr uint64_t kLiteralMinusMax = 4096;

}  // namespace mail::imapd
