// Parsing of the typed values a configuration file holds: sizes (1536M) and
// durations (30m). Pure functions over text, used by the reader and by tools
// that take the same notation on their command lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mail {

// "1536M" -> 1536 * 2^20. Plain digits are bytes; K, M, G (either case) are
// binary multiples. Empty text, other suffixes or overflow: nullopt.
std::optional<uint64_t> parse_size(std::string_view text);

// "30m" -> 1800 s. Plain digits are seconds; s, m, h are seconds, minutes,
// hours. Empty text, other suffixes or overflow: nullopt.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace mail
