// Writing flag lists in responses: "(\Seen \Flagged $Label1)".
#pragma once

#include <string>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::imapd {

// Appends "(" system flags (kRecent included) and keywords ")".
void append_flag_list(std::string& out, uint32_t flags, KeywordMask keywords,
                      const std::vector<std::string>& keyword_names);

}  // namespace mail::imapd
