// CREATE's arguments: the mailbox and RFC 4466 create parameters, of which
// RFC 6154's USE (\Sent ...) is the one known. Pure.
#pragma once

#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

struct CreateRequest {
    std::string mailbox;
    // USE's attributes as sent ("\\Sent"); an unknown one is the handler's
    // to refuse with NO [USEATTR] (RFC 6154 5.1), not a syntax error.
    std::vector<std::string> uses;
    bool operator==(const CreateRequest&) const = default;
};

// Parses what follows "CREATE SP", through end(). An unknown parameter is a
// ParseError (BAD).
CreateRequest parse_create(ArgReader& args);

}  // namespace mail::imapd
