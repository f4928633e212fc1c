// The mbx driver's open index: where every message of an mbx file is and what
// its line says (offset, line length, size, internal date, UID, flags), so
// that an open reads one small file instead of one status line per message
// (100,000 preads and date parses on a 100,000-message mailbox). Derived
// data, kept in index_file_path(mailbox, index_dir, "mbx-index"), checked
// against the mailbox before use (open_index_use.cpp), rewritten whole
// (tmp + rename); deleting it loses nothing.
//
// Format, little-endian:
//   "MBXIDX\0\1"   magic and version (8 bytes)
//   u64            a hash of everything after it (torn or damaged files)
//   stamp          dev u64, ino u64, covered u64, mtime_ns i64,
//                  uidvalidity u32, last_uid u32, count u32, bits u32
//                  (1: settled, 2: holes)
//   count records of 36 bytes: offset u64 (high byte: line length),
//                  size u64, internal date i64, uid u32, keywords u32
//                  (30 bits; top 2 bits unused), flags u16, zone i16
// Pure (no I/O): encode_open_index and parse_open_index only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::mbx {

// What the mbx file looked like when the index was written.
struct OpenIndexStamp {
    uint64_t dev = 0, ino = 0;
    uint64_t covered = 0;     // the file's size: a later tail starts here
    int64_t mtime_ns = 0;
    Uid uidvalidity = 0;
    Uid last_uid = 0;         // the header's UIDLAST
    bool settled = false;     // the clock had passed mtime: a later write gets a newer one
    bool holes = false;       // fEXPUNGED messages (not recorded) lie in [0, covered)
    bool operator==(const OpenIndexStamp&) const = default;
};

struct OpenIndexRecord {
    uint64_t offset = 0;      // of the message's line
    uint32_t line_length = 0; // CRLF included; < 256
    uint64_t size = 0;
    int64_t internal_date = 0;
    int32_t zone_minutes = 0;
    Uid uid = 0;
    uint32_t keywords = 0;
    uint32_t flags = 0;       // SystemFlag bits (never kRecent); the file has fOLD set
    bool operator==(const OpenIndexRecord&) const = default;
};

struct OpenIndex {
    OpenIndexStamp stamp;
    std::vector<OpenIndexRecord> records;  // ascending offsets and UIDs
};

std::string encode_open_index(const OpenIndex& index);

// nullopt for anything that is not a whole, undamaged index of this version
// whose records are in order (offsets and UIDs ascending, each message
// ending before the next line, the last one by covered).
std::optional<OpenIndex> parse_open_index(std::string_view bytes);

}  // namespace mail::mbx
