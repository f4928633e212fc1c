#include "imapd/session/protocol_mode.hpp"

#include <algorithm>

namespace mail::imapd {

std::vector<std::string_view> rev2_requirements() {
    return {"LITERAL+",      "ENABLE",   "IDLE",        "NAMESPACE",   "UNSELECT",
            "UIDPLUS",       "ESEARCH",  "SEARCHRES",   "MOVE",        "BINARY",
            "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "STATUS=SIZE", "UTF8=ACCEPT"};
}

std::vector<std::string_view> missing_rev2_requirements(std::string_view capabilities) {
    std::vector<std::string_view> words;
    while (!capabilities.empty()) {
        size_t space = capabilities.find(' ');
        std::string_view word = capabilities.substr(0, space);
        if (!word.empty()) words.push_back(word);
        if (space == std::string_view::npos) break;
        capabilities.remove_prefix(space + 1);
    }
    std::vector<std::string_view> missing;
    for (std::string_view needed : rev2_requirements())
        if (std::find(words.begin(), words.end(), needed) == words.end()) missing.push_back(needed);
    return missing;
}

}  // namespace mail::imapd
