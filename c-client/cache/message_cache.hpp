// Parsed data of the messages of one open mailbox that were fetched last:
// their MIME structure (which a client asks for again and again, part by
// part, while reading a message) and their ENVELOPE. Format-independent and
// derived: dropping it loses nothing. A message's bytes never change under
// its UID (RFC 3501 2.3.1.1), so entries stay valid until the mailbox is
// closed or its UIDVALIDITY changes; the owner clears the cache then.
// The one cache interface FETCH, SEARCH and SORT use: the MIME structure in
// memory (it holds offsets into this session's view of the message), and
// the parsed fields (CachedFields) in memory and, once attach()ed, in the
// mailbox's shared cache file (cache_file.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/cache_file.hpp"
#include "cache/cache_format.hpp"
#include "mailbox/types.hpp"
#include "mime/part.hpp"

namespace mail {

class MessageCache {
public:
    // Keeps the entries of at most `capacity` messages, least recently used
    // dropped first. A MimePart is bounded by MimeLimits, so the cache is too.
    explicit MessageCache(size_t capacity = 8) : capacity_(capacity) {}

    // The parsed MIME structure of the message with this UID, or null.
    std::shared_ptr<const MimePart> structure(Uid uid);
    void put_structure(Uid uid, std::shared_ptr<const MimePart> structure);

    // The message's ENVELOPE (the text after "ENVELOPE "), if known.
    std::optional<std::string> envelope(Uid uid);
    void put_envelope(Uid uid, std::string envelope);

    // Uses the mailbox's cache file at path (index_file_path(..., "cache"))
    // for fields() and add_fields() until clear().
    void attach(std::string path, Uid uidvalidity);
    bool attached() const { return file_ != nullptr; }

    // What is known of the message (the file's records that match the key);
    // only the fields in `wanted` (CacheFieldMask) are filled.
    CachedFields fields(const MessageKey& key, unsigned wanted = kCacheAllFields);
    // Records fields computed for the message (in the file, if attached).
    void add_fields(const MessageKey& key, const CachedFields& fields);
    // Writes queued records (at the end of a command, so others see them)
    // and unmaps the file until the next lookup.
    void flush();

    void clear();
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        Uid uid = 0;
        std::shared_ptr<const MimePart> structure;
        std::optional<std::string> envelope;
    };
    Entry* find(Uid uid);      // moves a hit to the most recent place
    Entry& slot(Uid uid);      // find, or make room and add

    size_t capacity_;
    std::vector<Entry> entries_;  // least recently used first; small, so a vector
    std::unique_ptr<CacheFile> file_;
};

}  // namespace mail
