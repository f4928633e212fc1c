// Which session of ours gets \Recent for a new message (RFC 3501 2.3.2: one
// session only): the file index_file_path(mailbox, index_dir, "recent")
// holds "UIDVALIDITY UID", the highest UID whose \Recent a session has
// taken; a session that reads newer messages not yet seen by anyone ("O"
// missing from their Status) takes those above it. Read and written under
// flock() of the file itself, so it needs no mailbox lock.
#pragma once

#include <optional>
#include <string>

#include "mailbox/types.hpp"

namespace mail::unixmbox {

// Raises the recorded UID to upto (for uidvalidity) and returns the one
// recorded before (0: none, or another UIDVALIDITY's). nullopt when the
// file cannot be used: the caller then takes \Recent as it would alone.
std::optional<Uid> claim_recent(const std::string& path, uint32_t uidvalidity, Uid upto);

// The UID recorded now, without raising it (a read-only open: STATUS and
// EXAMINE count as recent only what no session has taken); 0 when none.
Uid recent_claimed(const std::string& path, uint32_t uidvalidity);

}  // namespace mail::unixmbox
