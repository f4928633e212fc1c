// The unix driver's index file on disk (format in index_file.hpp): loading,
// saving (tmp + rename, errors ignored: it is derived data), and reading a
// mailbox with its help, which scans only the bytes appended since the
// index was written when the index still describes the file, and the whole
// file otherwise.
//
// The index is believed only for the same inode, a size not smaller than
// what it covers, the same first and last 4 KB of what it covers, and:
//   - the same size and mtime as when it was written: a sample of the
//     messages' headers is compared (every header when the mtime was not yet
//     in the past when the index was written: a change in the same clock
//     tick could keep it);
//   - or a larger size (a delivery appended): every message's header
//     (From line, header, Status lines) is compared by hash, so flags that
//     another program changed in place are seen, and the tail must start
//     with a From line exactly where the index ends.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "drivers/unix/index_file.hpp"

namespace mail::unixmbox {

std::optional<UnixIndex> load_index(const std::string& index_path);
// Writes the index of messages found in [0, covered) of the file fd (whose
// status is st); call with the mailbox locked. When the clock has not yet
// moved past the file's mtime, a later change could share it: the index is
// then marked unsettled and its next use compares every header, not a
// sample. Returns false when nothing was written.
bool save_index(const std::string& index_path, int fd, const struct stat& st, uint64_t covered,
                const std::vector<ScannedMessage>& messages);

// Whether index describes [0, covered) of the file fd now (see above; the
// tail check is read_mailbox's).
bool index_matches(int fd, const struct stat& st, const UnixIndex& index);

// Hash of the file's bytes [from, to), read in pieces.
uint64_t hash_range(int fd, uint64_t from, uint64_t to, uint64_t h = kHashSeed);

struct ReadResult {
    std::vector<ScannedMessage> messages;
    bool bad = false;              // not an mbox
    bool used_index = false;       // the index covered a prefix
    uint64_t scanned_from = 0;     // where the scan started
};

// Every message of the file fd (status st, locked by the caller), from
// the index at index_path (empty: none) and a scan of what it does not
// cover; saves a new index when anything was scanned.
ReadResult read_mailbox(int fd, const struct stat& st, const std::string& index_path);

}  // namespace mail::unixmbox
