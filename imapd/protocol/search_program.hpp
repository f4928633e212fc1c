// Parsing SEARCH's arguments (RFC 3501 6.4.4; RFC 5032 OLDER/YOUNGER,
// RFC 7162 MODSEQ, RFC 4731 RETURN) into the library's mail::SearchKey tree
// (c-client/search/search_key.hpp), which mail::search() evaluates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"
#include "search/search_key.hpp"

namespace mail::imapd {

using mail::NumberSet;
using mail::SearchKey;

struct SearchProgram {
    std::optional<std::string> charset;              // CHARSET, upper case
    std::optional<std::vector<std::string>> return_options;  // RETURN (...), upper case
    SearchKey root;                                  // an And of the top-level keys
};

// Parses what follows "SEARCH SP" up to the end of the command (calls end()).
SearchProgram parse_search(ArgReader& args);

// Pieces SORT and THREAD share: "(" [option *(SP option)] ")" as upper-case
// atoms, and one or more search keys up to the end of the command (an And;
// calls end()).
std::vector<std::string> parse_return_options(ArgReader& args);
SearchKey parse_search_keys(ArgReader& args);

}  // namespace mail::imapd
