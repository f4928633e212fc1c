// The system spool snarf (UW's mbox/spool behaviour): new mail that the MTA
// or procmail left in the spool (/var/mail/USER, Berkeley mbox) is moved
// into the user's INBOX, whatever its format. The spool stays locked (dot
// lock, fcntl, flock: what Postfix and procmail take) from the first read to
// its truncation, and is truncated to 0 bytes (as UW does; the file stays,
// /var/mail is not ours to create files in) only after every message is
// committed (fsync) to INBOX. A crash in between leaves the messages in
// both places, never in neither.
#pragma once

#include <string>

#include "mailbox/mailbox.hpp"

namespace mail {

// Moves the spool's messages into inbox; returns how many. A missing or
// empty spool moves nothing. Throws MailError; the spool is untouched then.
// Waits up to lock_wait_seconds for the spool's locks (then Busy).
size_t snarf_spool(const std::string& spool_path, Mailbox& inbox, int lock_wait_seconds);

}  // namespace mail
