#include "imapd/commands/search_result.hpp"

#include <algorithm>

#include "imapd/protocol/parse_error.hpp"
#include "util/imap_string.hpp"

namespace mail::imapd {

ReturnOptions parse_return_options(const std::vector<std::string>& options) {
    ReturnOptions r;
    for (const std::string& o : options) {
        if (o == "MIN") r.min = true;
        else if (o == "MAX") r.max = true;
        else if (o == "ALL") r.all = true;
        else if (o == "COUNT") r.count = true;
        else if (o == "SAVE") r.save = true;
        else throw ParseError("Unknown RETURN option " + o);
    }
    if (options.empty()) r.all = true;
    return r;
}

bool asks_to_save(const Command& command) {
    auto upper = [](std::string_view v) {
        std::string u(v);
        for (char& c : u)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return u;
    };
    std::string_view text = std::string_view(command.text).substr(command.args_pos);
    size_t open = text.find('('), close = text.find(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
    if (upper(text.substr(0, open)).find("RETURN") == std::string::npos) return false;
    return upper(text.substr(open, close - open)).find("SAVE") != std::string::npos;
}

std::string ordered_set(const std::vector<uint32_t>& numbers) {
    std::string out;
    for (size_t i = 0; i < numbers.size();) {
        size_t j = i;
        while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(numbers[i]);
        if (j > i) {
            out += ':';
            out += std::to_string(numbers[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string esearch_response(std::string_view tag, bool uid, const std::vector<uint32_t>& numbers,
                             const ReturnOptions& options, bool sorted) {
    std::string line = "ESEARCH (TAG ";
    append_imap_string(line, tag);
    line += ')';
    if (uid) line += " UID";
    if (!numbers.empty()) {
        // SEARCH: the lowest and highest numbers; ESORT: the first and last
        // in sort order (RFC 5267 3.2).
        auto [lo, hi] = std::minmax_element(numbers.begin(), numbers.end());
        if (options.min) line += " MIN " + std::to_string(sorted ? numbers.front() : *lo);
        if (options.max) line += " MAX " + std::to_string(sorted ? numbers.back() : *hi);
        if (options.all) line += " ALL " + ordered_set(numbers);
    }
    if (options.count) line += " COUNT " + std::to_string(numbers.size());
    return line;
}

std::vector<Uid> saved_uids(const std::vector<Uid>& uids, const ReturnOptions& options, bool sorted) {
    std::vector<Uid> out;
    if (uids.empty()) return out;
    if (options.min || options.max) {
        auto [lo, hi] = std::minmax_element(uids.begin(), uids.end());
        if (options.min) out.push_back(sorted ? uids.front() : *lo);
        if (options.max) out.push_back(sorted ? uids.back() : *hi);
    } else {
        out = uids;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace mail::imapd
