// The on-disk cache of one mailbox's parsed message data (format in
// cache_format.hpp), shared by every session that opens the mailbox: each
// adds the records it computes at the end of the file (O_APPEND, one write
// per batch), and reads the others' when it misses. The file is derived
// data: a missing, foreign (other UIDVALIDITY or version) or damaged one is
// replaced (temporary file + rename) and refilled as messages are fetched;
// a file that cannot be read or written only makes the cache miss. Nothing
// here throws. Reads go through a read-only mapping of the file (records
// are looked at in place, one pass of record heads at load, sums checked
// only for the records decoded); release() or flush() unmaps it, and pages
// are dropped every few MB looked at, so that the pages a SORT touched do
// not stay in (or swell) the session's resident set. The sent dates go
// to a compact side file as well (sent_date_file.hpp), which answers a
// lookup of the sent date alone without loading this file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/cache_format.hpp"
#include "cache/sent_date_file.hpp"
#include "util/fd.hpp"

namespace mail {

class CacheFile {
public:
    // Nothing is read until the first lookup.
    CacheFile(std::string path, Uid uidvalidity);
    ~CacheFile();  // flushes
    CacheFile(const CacheFile&) = delete;
    CacheFile& operator=(const CacheFile&) = delete;

    // What the file knows of this message (records about another message
    // under the same UID are ignored); empty fields when nothing.
    // Only the fields in `wanted` (CacheFieldMask) are copied out; a lookup
    // of kCacheSentDate alone tries the sent-date file first.
    CachedFields lookup(const MessageKey& key, unsigned wanted = kCacheAllFields);
    // Queues a record; written at flush() or when the queue is large.
    void add(const MessageKey& key, const CachedFields& fields);
    void flush();  // writes the queue, then release()s
    void release();  // drops the mapping (remapped at the next lookup)

    // Records indexed so far (for tests and the bench).
    size_t record_count() const { return index_.size(); }

private:
    CachedFields lookup_records(const MessageKey& key, unsigned wanted);  // this file's records alone
    void load();
    void scan_tail();
    bool replace_file(const std::string& keep);  // header + keep, atomically
    std::string read_range(uint64_t offset, size_t length) const;
    std::string_view mapped(uint64_t offset, size_t length);  // "" when unmappable

    std::string path_;
    Uid uidvalidity_;
    bool loaded_ = false;
    bool usable_ = true;      // false after an error: every lookup misses
    bool rebuild_ = false;    // missing, foreign or damaged: replace at flush
    UniqueFd fd_;
    uint64_t scanned_end_ = 0;
    std::vector<CacheRecordRef> index_;  // by UID, file order among equal UIDs
    std::string pending_;
    void* map_ = nullptr;  // the first map_size_ bytes of the file, read-only
    size_t map_size_ = 0;
    size_t touched_ = 0;   // bytes of pages looked at since they were last dropped
    uint64_t last_page_ = UINT64_MAX;  // the last page looked at
    SentDateFile dates_;
};

}  // namespace mail
