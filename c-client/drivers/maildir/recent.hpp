// \Recent across sessions (RFC 3501 2.3.2): a message is recent in exactly
// one session, the first read-write one to see it. Dovecot keeps the first
// recent UID in its binary index; we keep the highest UID already claimed in
// the small file "imapd-recent" in the maildir, read and advanced under the
// dovecot-uidlist lock. Maildir++ listing never shows plain files inside a
// maildir, so the file stays hidden like dovecot-uidlist.
#pragma once

#include <string>
#include <string_view>

#include "mailbox/types.hpp"

namespace mail::maildir {

inline constexpr const char* kRecentFileName = "imapd-recent";

struct RecentClaim {
    Uid uidvalidity = 0;   // the UIDVALIDITY the claim belongs to
    Uid last_claimed = 0;  // UIDs up to this one have been recent somewhere
};

// "<uidvalidity> <last claimed>\n"; anything unreadable is no claim at all.
RecentClaim parse_recent_claim(std::string_view text);
std::string format_recent_claim(const RecentClaim& claim);

}  // namespace mail::maildir
