// LIST's arguments with RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS and
// RFC 6154 SPECIAL-USE: selection options, one or several patterns, return
// options. Pure: a ParseError (tagged BAD) for an unknown option, for
// RECURSIVEMATCH without an option it could modify, for a bad STATUS list.
#pragma once

#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/mailbox_requests.hpp"

namespace mail::imapd {

enum ListSelection : unsigned {
    kSelectSubscribed = 1u << 0,
    kSelectRemote = 1u << 1,  // no remote mailboxes here: accepted, changes nothing
    kSelectRecursiveMatch = 1u << 2,
    kSelectSpecialUse = 1u << 3,
};

enum ListReturn : unsigned {
    kReturnSubscribed = 1u << 0,
    kReturnChildren = 1u << 1,
    kReturnSpecialUse = 1u << 2,
    kReturnStatus = 1u << 3,
};

struct ListExtendedRequest {
    unsigned selection = 0;  // ListSelection bits
    std::string reference;
    std::vector<std::string> patterns;  // one, or several in "( )"
    unsigned returns = 0;               // ListReturn bits
    std::vector<StatusItem> status_items;  // with kReturnStatus
    // Any RFC 5258 syntax was used (selection options, a pattern list or
    // RETURN): the answer may carry extended data such as CHILDINFO.
    bool extended = false;
    bool operator==(const ListExtendedRequest&) const = default;
};

// Parses what follows "LIST SP", through end().
ListExtendedRequest parse_list_request(ArgReader& args);

}  // namespace mail::imapd
