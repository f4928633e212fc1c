// Shared by the command-argument fuzz targets: the input's first byte holds
// mode bits, the rest is the text after the command name and SP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

// An ArgReader over data[1..size) with a 4 KB literal limit; LITERAL- mode
// when literal_minus is set. size must be at least 1.
inline ArgReader fuzz_args(const uint8_t* data, size_t size, bool literal_minus) {
    ParserLimits limits;
    limits.max_literal = 4096;
    limits.literal_minus = literal_minus;
    return ArgReader(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 0, limits);
}

}  // namespace mail::imapd
