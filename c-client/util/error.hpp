// The library's one exception type. What it says goes to the client (after
// NO) or to the operator, so it must be a clear sentence without a path that
// the client should not see.
#pragma once

#include <stdexcept>
#include <string>

namespace mail {

enum class ErrorKind {
    NotFound,      // mailbox or message does not exist (any more)
    Exists,        // mailbox already exists
    Invalid,       // bad name, bad argument, malformed data
    Permission,    // not allowed (read-only, outside the mail area)
    Busy,          // a lock could not be had in time: try again later
    NoSpace,       // disk full or over quota
    TooBig,        // message over max_message_size
    Io,            // an I/O error the caller cannot fix
    Corrupt,       // the mailbox's own files are damaged
};

class MailError : public std::runtime_error {
public:
    MailError(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace mail
