// Value types of the message model shared by every driver and by imapd.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "util/fd.hpp"

namespace mail {

using Uid = uint32_t;

// System flags as a bit mask. Recent is per session and never stored by a
// client's STORE; drivers set it on messages this session is the first to see.
enum SystemFlag : uint32_t {
    kSeen = 1u << 0,
    kAnswered = 1u << 1,
    kFlagged = 1u << 2,
    kDeleted = 1u << 3,
    kDraft = 1u << 4,
    kRecent = 1u << 5,
};
constexpr uint32_t kStorableFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;

// Keywords as a bit mask over the mailbox's keyword table (Mailbox::keywords()).
using KeywordMask = uint64_t;
constexpr size_t kMaxKeywords = 64;

// MessageInfo::internal_date of a message whose date the driver has not read
// yet (maildir after an open: Mailbox::dated() reads the file's mtime).
inline constexpr int64_t kUnknownDate = std::numeric_limits<int64_t>::min();

// What the index knows of one message without reading it.
struct MessageInfo {
    Uid uid = 0;
    uint32_t flags = 0;         // SystemFlag bits
    KeywordMask keywords = 0;   // bits into Mailbox::keywords()
    // Seconds since the epoch, or kUnknownDate when the driver reads it on
    // demand: read both through Mailbox::dated(), not here.
    int64_t internal_date = 0;
    int32_t zone_minutes = 0;   // the internal date's zone, east of UTC
    uint64_t size = 0;          // RFC822.SIZE: the message with CRLF line ends
};

// Where the stored bytes of one message are: a list of ranges of one open
// file, read in order. One range for maildir and mbx; several for unix mbox,
// whose driver leaves out the Status/X-Status/X-Keywords/X-UID lines it hides.
// The bytes are as stored (LF or CRLF line ends); mime/ presents them as CRLF.
struct FileRange {
    uint64_t offset = 0;
    uint64_t length = 0;
};

class MessageContent {
public:
    MessageContent() = default;
    MessageContent(std::shared_ptr<const UniqueFd> fd, std::vector<FileRange> ranges);

    uint64_t length() const { return length_; }
    // Reads up to n bytes at offset (within the message); returns the count
    // read, 0 at the end. Throws MailError on an I/O error.
    size_t read(uint64_t offset, char* buf, size_t n) const;

private:
    std::shared_ptr<const UniqueFd> fd_;
    std::vector<FileRange> ranges_;
    uint64_t length_ = 0;
};

}  // namespace mail
