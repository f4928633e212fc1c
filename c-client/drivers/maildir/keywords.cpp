#include "drivers/maildir/keywords.hpp"

#include <charconv>

namespace mail::maildir {

std::vector<std::string> parse_keywords(std::string_view text) {
    std::vector<std::string> names;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        size_t sp = line.find(' ');
        if (sp == std::string_view::npos || sp + 1 >= line.size()) continue;
        size_t index = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + sp, index);
        if (ec != std::errc() || p != line.data() + sp || index >= kMaxMaildirKeywords) continue;
        std::string_view name = line.substr(sp + 1);
        if (name.find_first_of(" ()\r\t") != std::string_view::npos) continue;
        if (names.size() <= index) names.resize(index + 1);
        names[index] = std::string(name);
    }
    return names;
}

std::string format_keywords(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) continue;
        out += std::to_string(i) + " " + names[i] + "\n";
    }
    return out;
}

}  // namespace mail::maildir
