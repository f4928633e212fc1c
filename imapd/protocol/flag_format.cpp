#include "imapd/protocol/flag_format.hpp"

namespace mail::imapd {

void append_flag_list(std::string& out, uint32_t flags, KeywordMask keywords,
                      const std::vector<std::string>& keyword_names) {
    static constexpr struct {
        uint32_t bit;
        const char* name;
    } kSystem[] = {{kAnswered, "\\Answered"}, {kFlagged, "\\Flagged"}, {kDeleted, "\\Deleted"},
                   {kSeen, "\\Seen"},         {kDraft, "\\Draft"},     {kRecent, "\\Recent"}};
    out += '(';
    bool first = true;
    auto add = [&](const std::string_view name) {
        if (!first) out += ' ';
        out += name;
        first = false;
    };
    for (const auto& f : kSystem)
        if (flags & f.bit) add(f.name);
    for (size_t i = 0; i < keyword_names.size() && i < kMaxKeywords; ++i)
        if (keywords & (KeywordMask{1} << i)) add(keyword_names[i]);
    out += ')';
}

}  // namespace mail::imapd
