// The bytes of a mailbox's sent-date file (sent_date_file.hpp reads and
// writes it): a compact copy of the sent dates the cache file holds, so
// that SORT (DATE) over a warm mailbox reads 16 bytes a message instead of
// every page of the ~1 KB-a-message cache file. Pure functions, no I/O.
//
// File   = Header Record*
// Header (16 bytes): "IMAPSNT" | u8 version | u32 uidvalidity | u32 cache_sum(first 12)
// Record (16 bytes): u32 uid | i64 sent date | u32 check
// check = cache_sum(uidvalidity, uid, size, internal date, sent date): it
// proves both that the record is undamaged and that it is about this
// message (its UID, size and internal date, as MessageKey), so a record
// about another message under the same UID, or a damaged one, never
// matches. The file is an append log: later records may repeat a UID; a
// length that is not a whole number of records ends in a torn record,
// which is ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache_format.hpp"

namespace mail {

constexpr size_t kSentDateHeaderSize = 16;
constexpr size_t kSentDateRecordSize = 16;

std::string encode_sent_date_header(Uid uidvalidity);
// True when `bytes` starts with a whole, undamaged header of this version
// for this UIDVALIDITY.
bool sent_date_header_matches(std::string_view bytes, Uid uidvalidity);

struct SentDateRecord {
    Uid uid = 0;
    int64_t sent = 0;  // kNoSentDate: the message has no usable Date:
    uint32_t check = 0;
    bool operator==(const SentDateRecord&) const = default;
};

std::string encode_sent_date_record(Uid uidvalidity, const MessageKey& key, int64_t sent);

// The whole records of `body` (the bytes after the header), in file order;
// a torn record at the end is left out.
std::vector<SentDateRecord> decode_sent_date_records(std::string_view body);

// The record's sent date when its check proves it is about `key` in a
// mailbox of this UIDVALIDITY.
std::optional<int64_t> proven_sent_date(const SentDateRecord& record, Uid uidvalidity, const MessageKey& key);

}  // namespace mail
