#include "config/values.hpp"

#include <limits>

namespace mail {
namespace {

// A number followed by at most one suffix letter, multiplied by the factor
// the suffix names in units (a nul suffix: factor 1).
struct Unit {
    char suffix;
    uint64_t factor;
};

template <size_t N>
std::optional<uint64_t> parse_scaled(std::string_view text, const Unit (&units)[N]) {
    if (text.empty()) return std::nullopt;
    uint64_t factor = 1;
    char last = text.back();
    if (last < '0' || last > '9') {
        bool known = false;
        for (const Unit& u : units) {
            if (u.suffix == last) {
                factor = u.factor;
                known = true;
            }
        }
        if (!known) return std::nullopt;
        text.remove_suffix(1);
        if (text.empty()) return std::nullopt;
    }
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    uint64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        unsigned digit = unsigned(c - '0');
        if (n > (kMax - digit) / 10) return std::nullopt;
        n = n * 10 + digit;
    }
    if (n != 0 && factor > kMax / n) return std::nullopt;
    return n * factor;
}

constexpr Unit kSizeUnits[] = {
    {'K', 1ull << 10}, {'k', 1ull << 10}, {'M', 1ull << 20},
    {'m', 1ull << 20}, {'G', 1ull << 30}, {'g', 1ull << 30},
};
constexpr Unit kTimeUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}};

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
    return parse_scaled(text, kSizeUnits);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    auto n = parse_scaled(text, kTimeUnits);
    // std::chrono::seconds holds a signed 64-bit count.
    if (!n || *n > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return std::chrono::seconds(int64_t(*n));
}

}  // namespace mail
