// "imapd-dates": the internal dates (file mtimes) of a maildir's messages by
// UID, so that an open stats only the files it has not seen before, as
// Dovecot keeps received dates in its cache. Derived data: a missing,
// damaged or foreign file (another UIDVALIDITY) is ignored and rewritten.
// Like Dovecot's cache, a date changed later (touch) is not noticed.
//
// Layout: the text line "imapd-dates 1 <uidvalidity>\n", then one 12-byte
// record a message, ascending UIDs: uid (u32) and seconds (i64), little-endian.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/types.hpp"

namespace mail::maildir {

inline constexpr const char* kDatesFileName = "imapd-dates";

struct DateRecord {
    Uid uid = 0;
    int64_t date = 0;
    bool operator==(const DateRecord&) const = default;
};

std::string format_dates(Uid uidvalidity, const std::vector<DateRecord>& records);
// nullopt when the text is not a dates file of this UIDVALIDITY.
std::optional<std::vector<DateRecord>> parse_dates(std::string_view text, Uid uidvalidity);
// The date of uid in ascending records, or nullopt.
std::optional<int64_t> find_date(const std::vector<DateRecord>& records, Uid uid);

}  // namespace mail::maildir
