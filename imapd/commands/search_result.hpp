// How SEARCH and SORT answer (RFC 4731 ESEARCH, RFC 5267 ESORT, RFC 5182
// SEARCHRES): RETURN options, the "* ESEARCH" line and what SAVE keeps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/protocol/command_reader.hpp"
#include "mailbox/types.hpp"

namespace mail::imapd {

struct ReturnOptions {
    bool min = false, max = false, all = false, count = false, save = false;
    // Whether a "* ESEARCH" line is sent: not when SAVE is the only option.
    bool esearch() const { return min || max || all || count; }
};

// RETURN's options (upper case); "()" means ALL. An unknown option is a
// ParseError.
ReturnOptions parse_return_options(const std::vector<std::string>& options);

// "ESEARCH (TAG "t")[ UID][ MIN n][ MAX n][ ALL set][ COUNT n]" (without
// "* " and CRLF; Dovecot's order). `numbers` are sequence numbers or UIDs in
// the order the command produced them: ascending for SEARCH; for SORT
// (`sorted`, RFC 5267 ESORT) in sort order, MIN and MAX then being the first
// and the last. ALL keeps the order, ascending runs written as ranges.
std::string esearch_response(std::string_view tag, bool uid, const std::vector<uint32_t>& numbers,
                             const ReturnOptions& options, bool sorted = false);

// What RETURN (SAVE) keeps of `uids` (in result order): the messages of MIN
// and MAX when either was asked for, all of them otherwise; ascending.
std::vector<Uid> saved_uids(const std::vector<Uid>& uids, const ReturnOptions& options, bool sorted = false);

// Whether a command that failed to parse asked for RETURN (... SAVE ...):
// the saved result must then be emptied (RFC 5182 2.1).
bool asks_to_save(const Command& command);

// "1,3:5,2": numbers in order, ascending runs of consecutive numbers as ranges.
std::string ordered_set(const std::vector<uint32_t>& numbers);

}  // namespace mail::imapd
