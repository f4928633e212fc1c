// Which X-UIDs to believe, as UW's unix_parse decides, made stricter: an
// X-UID is believed only when the mailbox has UID base data (X-IMAP in a
// pseudo-message or X-IMAPbase in the first message) and the X-UID is above
// the previous message's UID and at most one above the highest UID so far.
// Anything else (an X-UID forged in incoming spam, one out of order) is
// ignored and the message gets the next UID, so no message can push
// UIDNEXT towards 2^32. Pure.
#pragma once

#include <vector>

#include "drivers/unix/scanner.hpp"

namespace mail::unixmbox {

struct UidState {
    bool have_base = false;  // the file carries UIDVALIDITY and the last UID
    bool pseudo = false;     // ... in a pseudo-message
    uint32_t uidvalidity = 0;
    uint32_t uid_last = 0;   // highest UID given so far (the base's, or above)
    uint32_t prev_uid = 0;   // UID of the last message
    std::vector<std::string> base_keywords;
};

// Assigns UIDs to newly scanned messages, in file order. first_batch: the
// messages start at the beginning of the file (the first may be the pseudo-
// message, which gets UID 0 and is to be left out). Sets *assigned when a
// UID is not in the file yet (the file needs rewriting to keep it).
std::vector<Uid> assign_uids(const std::vector<ScannedMessage>& messages, bool first_batch, UidState& state,
                             bool* assigned);

}  // namespace mail::unixmbox
