// Arguments of STATUS (LIST's are in list_request.hpp).
#pragma once

#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

enum StatusItem : unsigned {
    kStatusMessages = 1u << 0,
    kStatusRecent = 1u << 1,
    kStatusUidNext = 1u << 2,
    kStatusUidValidity = 1u << 3,
    kStatusUnseen = 1u << 4,
    kStatusSize = 1u << 5,           // RFC 8438
    kStatusHighestModSeq = 1u << 6,  // RFC 7162
    kStatusDeleted = 1u << 8,        // RFC 9051: messages with \Deleted
    kStatusMailboxId = 1u << 9,      // RFC 8474
};

struct StatusRequest {
    std::string mailbox;
    std::vector<StatusItem> items;  // in the client's order
};

// "(" status-att *(SP status-att) ")", as STATUS and LIST's RETURN (STATUS
// (...)) (RFC 5819) take it; an unknown item is a ParseError.
std::vector<StatusItem> parse_status_items(ArgReader& args);

// Parses what follows "STATUS SP" and end().
StatusRequest parse_status(ArgReader& args);

}  // namespace mail::imapd
