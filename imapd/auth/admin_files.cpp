#include "imapd/auth/admin_files.hpp"

#include <fstream>
#include <iterator>

namespace mail::imapd {

std::optional<std::string> read_admin_file(const std::string& path) {
    if (path.empty()) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string raw;
    raw.resize(4096);
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    raw.resize(static_cast<size_t>(in.gcount()));
    std::string text;
    for (char c : raw) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r' || c == '\t') {
            if (!text.empty() && text.back() != ' ') text += ' ';
        } else if (u >= 0x20 && u != 0x7f) {
            text += c;
        }
        if (text.size() >= 1000) break;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

}  // namespace mail::imapd
