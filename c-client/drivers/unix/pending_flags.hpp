// Flag changes made by our sessions but not yet written into the mbox
// (lazy writes, as Dovecot's mbox_lazy_writes and UW's checkpoints): kept in
// the file index_file_path(mailbox, index_dir, "flags") so that every
// session of ours sees them at its next command, and a killed session's
// changes are written by the next one that checkpoints. The mbox is the
// truth for messages; this file only overrides flags, by UID, until a
// rewrite puts them into the mbox and removes it.
//
// Text format, one record a line:
//   imapd-unix-flags 1 UIDVALIDITY SINCE   (SINCE: time() of the oldest change)
//   UID FLAGS [KEYWORD...]                 (FLAGS: kStorableFlags bits, decimal)
//   end COUNT                              (a file without it is ignored)
// Read and written under the mailbox's dot lock; replaced by rename.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::unixmbox {

struct PendingFlag {
    uint32_t flags = 0;                 // kStorableFlags bits
    std::vector<std::string> keywords;  // names (tables differ between sessions)
    bool operator==(const PendingFlag&) const = default;
};

struct PendingFlags {
    uint32_t uidvalidity = 0;
    int64_t since = 0;  // wall-clock seconds of the oldest change not in the mbox
    std::map<Uid, PendingFlag> by_uid;
    bool operator==(const PendingFlags&) const = default;
};

// Pure.
std::string format_pending(const PendingFlags& p);
std::optional<PendingFlags> parse_pending(std::string_view text);

// Identifies one version of the file (it is replaced by rename).
struct PendingStamp {
    ino_t ino = 0;
    int64_t mtime_ns = 0;
    off_t size = -1;  // -1: no file
    bool operator==(const PendingStamp&) const = default;
};
PendingStamp pending_stamp(const std::string& path);

// nullopt when there is no file or it is damaged (then it is ignored:
// losing it loses only flag changes, never a message).
std::optional<PendingFlags> load_pending(const std::string& path);
// tmp + rename, no fsync (a crash may lose flag changes, as Dovecot's index
// without fsync would). Returns false when it could not be written.
bool save_pending(const std::string& path, const PendingFlags& p);
void remove_pending(const std::string& path);

}  // namespace mail::unixmbox
