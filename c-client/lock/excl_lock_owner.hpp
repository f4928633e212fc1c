// Owner marks for O_EXCL lock files whose holder later renames them over
// their target (Dovecot's dotlock protocol for dovecot-uidlist,
// dovecot-keywords and dovecot-uidvalidity; drivers/maildir/lock.hpp).
//
// Such a lock left by a SIGKILLed holder is otherwise broken only by its
// age (Dovecot's 2-minute stale timeout), so that the next delivery waited
// two minutes after a killed one. The holder now marks the file as
// Dovecot's file_dotlock_create() does, "PID:HOST" (Dovecot breaks a lock
// naming a dead local process at once, and so do we), and holds flock() on
// it while it lives. A waiter removes a lock that names a process of this
// host that no longer exists and that no one holds flock() on (a live
// holder in another PID namespace still has its flock). Unmarked locks (an
// old binary's, or Dovecot's uidlist lock, which it leaves empty) keep the
// age rule.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace mail {

// The holder, right after creating the lock file with O_EXCL: flock(LOCK_EX)
// on it, then writes the mark. Best effort: a failure leaves an unmarked lock.
void mark_excl_lock_owner(int lock_fd);

// The holder, before it writes the lock's real content: empties the file.
void clear_excl_lock_owner(int lock_fd);

// A waiter: removes the lock file at lock_path when its owner is dead (see
// above); true when it did, so that the caller tries to create it again.
bool remove_excl_lock_of_dead_owner(const std::string& lock_path);

// The PID a mark names when it is "PID:HOST" (one trailing newline allowed,
// as Dovecot reads it) and HOST is host; otherwise nothing.
std::optional<pid_t> parse_excl_lock_owner(std::string_view content, std::string_view host);

// "PID:HOST" for this process.
std::string excl_lock_owner_mark();

}  // namespace mail
