// SEARCH's criteria as a tree (RFC 3501 6.4.4; RFC 5032 OLDER/YOUNGER,
// RFC 7162 MODSEQ, RFC 4731 RETURN), built here and evaluated by the library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"

namespace mail::imapd {

struct SearchKey {
    enum class Kind {
        And, Or, Not,  // children: any number, two, one
        All, Answered, Deleted, Draft, Flagged, New, Old, Recent, Seen,
        Unanswered, Undeleted, Undraft, Unflagged, Unseen,
        Keyword, Unkeyword,                      // value: the keyword
        Bcc, Body, Cc, From, Subject, Text, To,  // value: the string, bytes as sent
        Header,                                  // field (upper case) and value
        Before, On, Since, SentBefore, SentOn, SentSince,  // date: days since the epoch
        Larger, Smaller,                         // number: a size
        Older, Younger,                          // number: seconds
        ModSeq,                                  // number: a mod-sequence
        SequenceSet, Uid,                        // set
    };
    Kind kind = Kind::All;
    std::string field;
    std::string value;
    uint64_t number = 0;
    int64_t date = 0;
    mail::imapd::SequenceSet set;
    std::vector<SearchKey> children;
};

struct SearchProgram {
    std::optional<std::string> charset;              // CHARSET, upper case
    std::optional<std::vector<std::string>> return_options;  // RETURN (...), upper case
    SearchKey root;                                  // an And of the top-level keys
};

// Parses what follows "SEARCH SP" up to the end of the command (calls end()).
SearchProgram parse_search(ArgReader& args);

}  // namespace mail::imapd
