// SELECT/EXAMINE parameters of RFC 7162: (CONDSTORE) and
// (QRESYNC (uidvalidity modseq [known-uids [(known-seqs known-uids)]])).
#pragma once

#include <cstdint>
#include <optional>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/sequence_set.hpp"

namespace mail::imapd {

struct QresyncParams {
    uint32_t uidvalidity = 0;
    uint64_t modseq = 0;
    std::optional<SequenceSet> known_uids;
    std::optional<SequenceSet> match_seqs, match_uids;  // seq-match-data
};

struct SelectParams {
    bool condstore = false;
    std::optional<QresyncParams> qresync;
};

// Parses what may follow SELECT's mailbox name: nothing, or SP "(" params
// ")"; then calls args.end(). Unknown parameters are a ParseError.
SelectParams parse_select_params(ArgReader& args);

}  // namespace mail::imapd
