// dmail's exit codes (sysexits.h) and how library errors map onto them.
// The rule: 75 (EX_TEMPFAIL) for anything that may pass on a later try, so
// that procmail or the MTA keeps the message and retries; a permanent code
// only where retrying cannot help.
#pragma once

#include <sysexits.h>

#include "util/error.hpp"

namespace mail::dmail {

// Busy (lock timeout), NoSpace (ENOSPC, EDQUOT), Io, Corrupt: EX_TEMPFAIL.
// Permission: EX_NOPERM. TooBig: EX_NOPERM, as dovecot-lda -e rejects a
// message (Postfix then bounces it). Invalid: EX_DATAERR. NotFound and
// Exists (a folder that could not be made): EX_CANTCREAT.
int exit_code_for(ErrorKind kind);

// For an errno from a system call dmail makes itself (reading stdin,
// setuid...).
int exit_code_for_errno(int err);

}  // namespace mail::dmail
