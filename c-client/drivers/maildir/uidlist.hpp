// dovecot-uidlist: the file that gives maildir messages their UIDs.
//
// Version 3 (what Dovecot writes):
//   3 V<uidvalidity> N<nextuid> G<guid> [other header extensions]
//   <uid> [<ext-letter><value> ...] :<base name>
// Version 1 (old Dovecot):
//   1 <uidvalidity> <nextuid>
//   <uid> <base name>
// Dovecot appends records without rewriting the header, so the next UID is
// max(N, last UID + 1). Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::maildir {

using Extensions = std::vector<std::pair<char, std::string>>;

struct UidlistRecord {
    Uid uid = 0;
    std::string base;       // file name up to ':'
    Extensions extensions;  // e.g. {'W', "21"}: kept and written back as read

    std::optional<uint64_t> vsize() const;  // the W extension
    void set_extension(char key, std::string value);
    bool operator==(const UidlistRecord&) const = default;
};

struct Uidlist {
    unsigned version = 3;
    Uid uidvalidity = 0;
    Uid next_uid = 1;
    std::string guid;              // G: 32 hex digits
    Extensions header_extensions;  // header fields other than V, N, G
    std::vector<UidlistRecord> records;  // ascending UIDs

    bool operator==(const Uidlist&) const = default;
};

// Throws MailError(Corrupt) when the text is not a uidlist. A last line
// without its newline (a write in progress) is ignored.
Uidlist parse_uidlist(std::string_view text);

// What can still be read from a damaged uidlist, as Dovecot rebuilds one:
// the records that parse, in ascending UID order, each base name once (a
// line out of order or repeating a name is dropped: its message gets a new
// UID); the next UID above every UID any line still shows. keeps_uidvalidity
// is false when a UID may have been given that no line shows any more (no
// readable header, or an unreadable line after the last record kept): then
// the UIDVALIDITY must change. Never throws.
struct SalvagedUidlist {
    Uidlist list;
    bool keeps_uidvalidity = false;
    size_t dropped = 0;  // lines that could not be kept
};
SalvagedUidlist salvage_uidlist(std::string_view text);

// The text Dovecot would write for it (always version 3).
std::string format_uidlist(const Uidlist& list);
// One record's line, newline included, as format_uidlist writes it: what an
// append adds at the end of the file (as Dovecot does, the header's N is
// left behind; readers take max(N, last UID + 1)).
std::string format_uidlist_record(const UidlistRecord& rec);

}  // namespace mail::maildir
