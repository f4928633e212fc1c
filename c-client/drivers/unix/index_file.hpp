// The unix driver's index: what a scan of a Berkeley mbox found (every
// message's offsets, visible ranges, size, date, the flags, keywords, X-UID
// and X-IMAP data as read from the file), saved so that the next open reads
// only what was appended since. Derived data: kept in the file
// index_file_path(mailbox, index_dir, "index"), checked against the mailbox
// before use (index_check.cpp), rewritten whole (tmp + rename) when stale.
//
// Format (all integers unsigned LEB128 varints, signed ones zigzagged):
//   "UXIDX\0\0\2"  magic and version
//   8 bytes         check_sum of everything after it, little-endian
//   stamp           dev ino size mtime_sec mtime_nsec covered head_hash tail_hash settled
//   count           then count messages, each:
//     start header-start blank-start body-start end-start next-end
//     size date zone flags bits [xuid] [base] header_hash
//     nvisible (offset-start length)... nkeywords (len bytes)...
// Pure (no I/O): encode_index and parse_index only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/unix/scanner.hpp"

namespace mail::unixmbox {

// What the mailbox file looked like when the index was written.
struct IndexStamp {
    uint64_t dev = 0, ino = 0;
    uint64_t size = 0;        // the file's size then
    int64_t mtime_sec = 0;
    int64_t mtime_nsec = 0;
    uint64_t covered = 0;     // the messages end here; a later tail starts here
    uint64_t head_hash = 0;   // of the first min(4 KB, covered) bytes
    uint64_t tail_hash = 0;   // of the last min(4 KB, covered) bytes before covered
    bool settled = false;     // the clock had passed mtime: a later change gets a newer one
    bool operator==(const IndexStamp&) const = default;
};

struct UnixIndex {
    IndexStamp stamp;
    std::vector<ScannedMessage> messages;  // as a scan of [0, covered) finds them
};

// FNV-1a 64, continued from h (start with kHashSeed).
constexpr uint64_t kHashSeed = 14695981039346656037ull;
uint64_t hash_bytes(std::string_view bytes, uint64_t h = kHashSeed);
// A checksum against damage (not an adversary), a word at a time: several
// times faster than hash_bytes on a large index.
uint64_t check_sum(std::string_view bytes);

std::string encode_index(const UnixIndex& index);

// nullopt for anything that is not a whole, undamaged index of this version
// whose offsets are in order and inside [0, covered).
std::optional<UnixIndex> parse_index(std::string_view bytes);

}  // namespace mail::unixmbox
