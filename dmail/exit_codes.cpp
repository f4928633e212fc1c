#include "exit_codes.hpp"

#include <cerrno>

namespace mail::dmail {

int exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Busy:
    case ErrorKind::NoSpace:
    case ErrorKind::Io:
    case ErrorKind::Corrupt:
    // A mailbox we may not write (a folder that cannot falls back to INBOX,
    // so this is the INBOX): a mistake on this host for its administrator to
    // fix, so the MTA keeps the message and retries instead of bouncing it.
    case ErrorKind::Permission: return EX_TEMPFAIL;
    case ErrorKind::TooBig: return EX_NOPERM;
    case ErrorKind::Invalid: return EX_DATAERR;
    case ErrorKind::NotFound:
    case ErrorKind::Exists: return EX_CANTCREAT;
    }
    return EX_SOFTWARE;
}

int exit_code_for_errno(int err) {
    (void)err;  // permission problems too: see exit_code_for(Permission)
    return EX_TEMPFAIL;
}

}  // namespace mail::dmail
