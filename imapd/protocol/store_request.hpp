// STORE's arguments after the sequence set (RFC 3501 6.4.6, RFC 7162 UNCHANGEDSINCE).
#pragma once

#include <cstdint>
#include <optional>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

struct StoreRequest {
    enum class Op { Replace, Add, Remove };
    Op op = Op::Replace;
    bool silent = false;
    FlagList flags;
    std::optional<uint64_t> unchanged_since;  // for CONDSTORE later
};

// Parses "[(UNCHANGEDSINCE n) SP] [+|-]FLAGS[.SILENT] SP flags" and end().
StoreRequest parse_store(ArgReader& args);

}  // namespace mail::imapd
