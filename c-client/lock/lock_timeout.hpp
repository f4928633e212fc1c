// How long a process waits for another process's mailbox lock (dot lock,
// fcntl/flock, UW's /tmp lock) before giving up with MailError(Busy), which
// imapd answers with NO and dmail with EX_TEMPFAIL so that the MTA retries:
// the configuration key lock_timeout. Process-wide, like UW's
// mail_parameters(SET_LOCKTIMEOUT): set once at start-up from the
// configuration, read as the default by every lock in lock/ and the drivers.
#pragma once

namespace mail {

int lock_timeout_seconds();  // 30 (the key's default) until set
void set_lock_timeout_seconds(int seconds);

}  // namespace mail
