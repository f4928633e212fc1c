// Maildir file names as Dovecot writes them:
//   <unique>,S=<size>,W=<vsize>:2,<flags>
// The base name (everything before ':') identifies a message for its whole
// life; the part after ":2," changes with its flags. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mail::maildir {

struct FileName {
    std::string_view base;          // up to the first ':' (the uidlist key)
    std::optional<uint64_t> size;   // ,S= : stored size in bytes
    std::optional<uint64_t> vsize;  // ,W= : size with CRLF line ends (RFC822.SIZE)
    uint32_t flags = 0;             // SystemFlag bits from DFRST
    uint32_t keyword_letters = 0;   // bit i: letter 'a'+i (index i of dovecot-keywords)
    std::string other;              // flag characters we do not interpret (e.g. 'P'), kept
};

FileName parse_file_name(std::string_view name);

// The flags part after ":2,": all characters in ASCII order, as Dovecot writes it.
std::string flags_suffix(uint32_t flags, uint32_t keyword_letters, std::string_view other);

// base + ":2," + flags_suffix(...)
std::string file_name(std::string_view base, uint32_t flags, uint32_t keyword_letters,
                      std::string_view other);

// A new unique base name "<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<vsize>".
std::string unique_base(int64_t sec, long usec, long pid, unsigned counter, std::string_view host,
                        uint64_t size, uint64_t vsize);

}  // namespace mail::maildir
