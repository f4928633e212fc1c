// Parsing SORT (RFC 5256, with RFC 5267 ESORT's RETURN and RFC 5957's
// DISPLAYFROM/DISPLAYTO) and THREAD arguments. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"
#include "search/search_key.hpp"
#include "sort/sort.hpp"
#include "thread/thread.hpp"

namespace mail::imapd {

struct SortRequest {
    std::optional<std::vector<std::string>> return_options;  // RETURN (...), upper case
    std::vector<mail::SortCriterion> criteria;                // at least one
    std::string charset;                                      // upper case
    mail::SearchKey keys;                                     // an And
};

struct ThreadRequest {
    mail::ThreadAlgorithm algorithm = mail::ThreadAlgorithm::References;
    std::string charset;  // upper case
    mail::SearchKey keys;
};

// What follows "SORT SP": [RETURN (opts) SP] (criteria) SP charset SP keys.
// An unknown key, an empty list or a REVERSE without a key: ParseError.
SortRequest parse_sort(ArgReader& args);

// What follows "THREAD SP": algorithm SP charset SP keys. An algorithm
// that is not ORDEREDSUBJECT or REFERENCES: ParseError.
ThreadRequest parse_thread(ArgReader& args);

}  // namespace mail::imapd
