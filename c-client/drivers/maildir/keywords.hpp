// dovecot-keywords: "<index> <name>" per line; index i is the file-name
// letter 'a'+i, so at most 26 keywords per maildir. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mail::maildir {

constexpr size_t kMaxMaildirKeywords = 26;

// Names by index; a gap (an index not in the file) is an empty string.
// Malformed lines are skipped, as Dovecot does.
std::vector<std::string> parse_keywords(std::string_view text);
std::string format_keywords(const std::vector<std::string>& names);

}  // namespace mail::maildir
