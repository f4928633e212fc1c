// A mailbox's sent-date file (format in sent_date_format.hpp), beside its
// cache file (the cache file's path + "-sent": index_file_path's kind
// "cache-sent", so DELETE and RENAME of a mailbox file take it along).
// CacheFile fills it whenever a sent date is added to the cache or first
// read from it, and answers a lookup of the sent date alone from it, so a
// warm SORT (DATE) of 100,000 messages reads 1.6 MB, not the whole cache.
// Derived data: a missing, foreign (other UIDVALIDITY or version) or
// damaged file is replaced (temporary file + rename) at the next flush; a
// torn last record is ignored; a record whose check does not prove the
// message's UID, size and internal date is a miss. Nothing here throws;
// an unreadable or unwritable file only makes lookups miss.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/sent_date_format.hpp"

namespace mail {

class SentDateFile {
public:
    // Nothing is read until the first lookup.
    SentDateFile(std::string path, Uid uidvalidity);
    ~SentDateFile();  // flushes
    SentDateFile(const SentDateFile&) = delete;
    SentDateFile& operator=(const SentDateFile&) = delete;

    // The message's sent date (kNoSentDate when it has none) if the file
    // proves it.
    std::optional<int64_t> lookup(const MessageKey& key);
    // Queues a record; written at flush().
    void add(const MessageKey& key, int64_t sent);
    // Appends the queue in one write (or replaces a missing, foreign, damaged
    // or mostly repeated file), then forgets the table: the next lookup reads
    // the file again (with other sessions' records), and the table does not
    // stay in the session's memory between commands.
    void flush();

    static std::string path_beside(const std::string& cache_path) { return cache_path + "-sent"; }

private:
    void load();

    std::string path_;
    Uid uidvalidity_;
    bool loaded_ = false;
    std::vector<SentDateRecord> table_;  // by UID, file order among equal UIDs
    size_t distinct_ = 0;                // UIDs in table_
    std::string pending_;
};

}  // namespace mail
