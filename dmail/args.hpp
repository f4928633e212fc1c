// dmail's command line, parsed by a pure function (no I/O, no exit) so that
// it can be unit-tested:
//   dmail [-c FILE] [-D] [-f FROM | -r FROM] [-k KEYWORDS] [-I INBOX] [+FOLDER] [USER]
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mail::dmail {

struct Args {
    std::string config_path;            // -c; empty: /etc/imapd.conf if present
    bool debug = false;                 // -D
    std::string from;                   // -f or -r: the envelope sender
    std::vector<std::string> keywords;  // -k, split at spaces and commas
    std::string inbox;                  // -I: the INBOX path to use
    std::string folder;                 // +FOLDER without the '+'; empty: INBOX
    std::string user;                   // USER (an MTA running dmail as root)
};

struct ParsedArgs {
    Args args;
    std::string error;  // non-empty: a usage error, this sentence says what
};

// argv without the program name.
ParsedArgs parse_args(const std::vector<std::string_view>& argv);

// "a b,c,,d" -> {"a", "b", "c", "d"}.
std::vector<std::string> split_keywords(std::string_view text);

// An IMAP keyword: an atom (no space, control, 8-bit or ( ) { % * " \ ]),
// at most 64 bytes. Others are left out of a delivery with a warning.
bool is_valid_keyword(std::string_view word);

inline constexpr const char* kUsage =
    "usage: dmail [-c FILE] [-D] [-f FROM | -r FROM] [-k KEYWORDS] [-I INBOX] [+FOLDER] [USER]";

}  // namespace mail::dmail
