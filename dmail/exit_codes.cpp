#include "exit_codes.hpp"

#include <cerrno>

namespace mail::dmail {

int exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Busy:
    case ErrorKind::NoSpace:
    case ErrorKind::Io:
    case ErrorKind::Corrupt: return EX_TEMPFAIL;
    case ErrorKind::Permission:
    case ErrorKind::TooBig: return EX_NOPERM;
    case ErrorKind::Invalid: return EX_DATAERR;
    case ErrorKind::NotFound:
    case ErrorKind::Exists: return EX_CANTCREAT;
    }
    return EX_SOFTWARE;
}

int exit_code_for_errno(int err) {
    switch (err) {
    case EACCES:
    case EPERM:
    case EROFS: return EX_NOPERM;
    default: return EX_TEMPFAIL;
    }
}

}  // namespace mail::dmail
